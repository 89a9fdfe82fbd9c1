import type { Request, RequestHandler, Response } from 'express';
import { auditRole, isAdministratorOfAny } from '../context/permissions';
import { adminScope, idParam } from '../permissions/context';
import { serviceName } from '../permissions/service';
import { pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { forbidden } from '../web/http-errors';
import { requestsPaths } from './paths';
import { itemValue, rejectFormSchema, REASON_MAX, requestFormSchema } from './schemas';
import type { DecisionResult, RequestsService } from './service';

/** A day in Swedish time, YYYY-MM-DD. */
const day = (value: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(value);

/** The outcome shown after a redirect (post-redirect-get); only these words are read from the query. */
const DONE = ['submitted', 'approved', 'rejected'] as const;
const doneOf = (req: Request) => DONE.find((word) => word === req.query.klart);

function requester(req: Request, res: Response) {
  const context = res.locals.employerContext;
  const person = res.locals.currentPerson;
  if (!context || !person) throw forbidden('no employer context');
  const actor = {
    type: 'person' as const,
    personId: person.id,
    role: auditRole(context),
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
  return { context, actor };
}

/** The person's requests at the employer, newest first, with their status. */
export function mine(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    const { context, actor } = requester(req, res);
    const rows = await requests.mine(actor.personId, context.employer.id);
    res.render('requests/mine', {
      done: doneOf(req),
      rows: rows.map((row) => ({
        id: row.id,
        code: row.code,
        service: serviceName({ key: row.service_key, name: row.service_name }, res.locals.lang),
        status: row.status,
        createdAt: day(row.created_at),
        expiresAt: day(row.expires_at),
        rejectionReason: row.rejection_reason,
      })),
    });
  };
}

async function renderForm(
  requests: RequestsService,
  req: Request,
  res: Response,
  invalid?: { errors: FieldError[]; input: Record<string, unknown> },
): Promise<void> {
  const { context, actor } = requester(req, res);
  const choices = await requests.choices(actor.personId, context.employer.id);
  const typed = invalid?.input.items;
  const checked = new Set(Array.isArray(typed) ? typed.map(String) : typeof typed === 'string' ? [typed] : []);
  const groups = choices.codes.map((code) => ({
    code,
    options: choices.services.map((service) => {
      const value = itemValue(code.id, service.id);
      return {
        value,
        id: `item-${code.id}-${service.id}`,
        name: serviceName(service, res.locals.lang),
        held: choices.held.has(value),
        pending: choices.pending.has(value),
        checked: checked.has(value),
      };
    }),
  }));
  const errors = invalid?.errors ?? [];
  const firstOption = groups.flatMap((group) => group.options).find((option) => !option.held && !option.pending);
  res.status(invalid ? 422 : 200).render('requests/new', {
    groups,
    errors: errors.map((error) => (error.field === 'items' ? { ...error, field: firstOption?.id ?? 'items' } : error)),
    fieldErrors: errors,
    reason: typeof invalid?.input.reason === 'string' ? invalid.input.reason : '',
    reasonMax: REASON_MAX,
  });
}

export function viewForm(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    await renderForm(requests, req, res);
  };
}

export function submit(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    const form = parseForm(requestFormSchema, req.body);
    if (!form.ok) {
      await renderForm(requests, req, res, form);
      return;
    }
    const { context, actor } = requester(req, res);
    const result = await requests.submit(actor, context.employer.id, form.data);
    if (result.status === 'invalid') {
      await renderForm(requests, req, res, {
        errors: result.errors,
        input: req.body as Record<string, unknown>,
      });
      return;
    }
    res.redirect(303, `${requestsPaths.mine}?klart=submitted`);
  };
}

/** The queue is for those who administer at least one code here. */
export const requireAdministration: RequestHandler = (_req, res, next) => {
  const context = res.locals.employerContext;
  if (!context || !isAdministratorOfAny(context)) {
    next(forbidden('administers no code here'));
    return;
  }
  next();
};

const REFUSALS: Record<Exclude<DecisionResult['status'], 'done'>, string> = {
  'not-found': 'requests.refused.notFound',
  forbidden: 'requests.refused.forbidden',
  own: 'requests.refused.own',
  decided: 'requests.refused.decided',
  expired: 'requests.refused.expired',
  'not-granted': 'requests.refused.notGranted',
};

async function renderQueue(
  requests: RequestsService,
  req: Request,
  res: Response,
  problem?: { status: number; requestId?: string; refusal?: string; errors?: FieldError[]; typed?: string },
): Promise<void> {
  const scope = adminScope(req, res);
  const rows = await requests.queue(scope);
  res.status(problem?.status ?? 200).render('requests/queue', {
    done: doneOf(req),
    refusal: problem?.refusal,
    errors: problem?.errors ?? [],
    rows: rows.map((row) => {
      const mineRow = problem?.requestId === row.id;
      return {
        id: row.id,
        personName: row.person_name,
        own: row.person_id === scope.actor.personId,
        code: row.code,
        codeName: row.code_name,
        service: serviceName({ key: row.service_key, name: row.service_name }, res.locals.lang),
        reason: row.reason,
        createdAt: day(row.created_at),
        expiresAt: day(row.expires_at),
        fieldId: `rejectionReason-${row.id}`,
        error: mineRow ? problem.errors?.[0] : undefined,
        typed: mineRow ? (problem.typed ?? '') : '',
        approveHref: pathTo(requestsPaths.approve, { requestId: row.id }),
        rejectHref: pathTo(requestsPaths.reject, { requestId: row.id }),
      };
    }),
  });
}

export function queue(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    await renderQueue(requests, req, res);
  };
}

async function answer(
  requests: RequestsService,
  req: Request,
  res: Response,
  result: DecisionResult,
  done: (typeof DONE)[number],
): Promise<void> {
  if (result.status === 'done') {
    res.redirect(303, `${requestsPaths.queue}?klart=${done}`);
    return;
  }
  const status =
    result.status === 'not-found' ? 404 : result.status === 'forbidden' || result.status === 'own' ? 403 : 409;
  await renderQueue(requests, req, res, { status, refusal: REFUSALS[result.status] });
}

export function approve(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    const requestId = idParam(req.params.requestId);
    const result = await requests.decide(adminScope(req, res), requestId, { kind: 'approve' });
    await answer(requests, req, res, result, 'approved');
  };
}

export function reject(requests: RequestsService): RequestHandler {
  return async (req, res) => {
    const requestId = idParam(req.params.requestId);
    const form = parseForm(rejectFormSchema, req.body);
    if (!form.ok) {
      // the request is checked first: a refused reason on a request the person may not decide is that refusal
      const refusal = await requests.refusal(adminScope(req, res), requestId);
      if (refusal) {
        await answer(requests, req, res, { status: refusal }, 'rejected');
        return;
      }
      const fieldId = `rejectionReason-${requestId}`;
      const typed = form.input.rejectionReason;
      await renderQueue(requests, req, res, {
        status: 422,
        requestId,
        errors: form.errors.map((error) => ({ ...error, field: fieldId })),
        typed: typeof typed === 'string' ? typed : '',
      });
      return;
    }
    const result = await requests.decide(adminScope(req, res), requestId, {
      kind: 'reject',
      reason: form.data.rejectionReason,
    });
    await answer(requests, req, res, result, 'rejected');
  };
}
