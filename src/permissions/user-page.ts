import type { Request, RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { forbidden, notFound } from '../web/http-errors';
import { adminScope, finish, idParam } from './context';
import { permissionsPaths } from './paths';
import { lastDayOf } from './end-date';
import { codeFormSchema, grantFormSchema, permissionFormSchema } from './schemas';
import { serviceName, type PermissionsService } from './service';

const userHref = (personId: string) => pathTo(permissionsPaths.user, { personId });

/** A form posted by a button carries ids only: anything unreadable is a crafted request. */
function parsed<T>(result: { ok: true; data: T } | { ok: false }): T {
  if (!result.ok) throw new BadRequest();
  return result.data;
}

class BadRequest extends Error {
  readonly status = 400;
}

/** The id of a permission row's end-date field (the error summary links to it). */
export const endDateFieldId = (codeId: string, serviceId: string) => `validUntil-${codeId}-${serviceId}`;

/**
 * One user: their permissions on each administered code, with a button per permission to grant or remove it, and its
 * end date ("valid until"). A refused date shows the page again (422) with the error summary and the typed value.
 */
async function renderUser(
  permissions: PermissionsService,
  req: Request,
  res: Response,
  invalid?: { codeId: string; serviceId: string; value: unknown; errors: FieldError[] },
): Promise<void> {
  const personId = idParam(req.params.personId);
  const result = await permissions.user(adminScope(req, res), personId);
  if (result.status === 'not-found') throw notFound('no such person');
  if (result.status === 'forbidden') throw forbidden('person outside the administered codes');
  const lang = res.locals.lang;
  const rows = result.codes.map((code) => ({
    code,
    services: result.services
      .map((service) => {
        const grant = result.grants.find((row) => row.employer_code_id === code.id && row.service_id === service.id);
        const mine = invalid?.codeId === code.id && invalid.serviceId === service.id;
        return {
          service,
          name: serviceName(service, lang),
          granted: grant !== undefined,
          validUntil: grant?.expires_at ? lastDayOf(grant.expires_at) : null,
          fieldId: endDateFieldId(code.id, service.id),
          typed: mine && typeof invalid.value === 'string' ? invalid.value : undefined,
          error: mine ? invalid.errors[0] : undefined,
        };
      })
      .filter((entry) => entry.granted || entry.service.active),
  }));
  const errors = invalid
    ? invalid.errors.map((error) => ({ ...error, field: endDateFieldId(invalid.codeId, invalid.serviceId) }))
    : [];
  res.status(invalid ? 422 : 200).render('permissions/user', { person: result.person, rows, personId, errors });
}

export function view(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    await renderUser(permissions, req, res);
  };
}

function serviceLabel(req: Request, key: string): string {
  return req.t(`services.${key}.name`, { defaultValue: key });
}

/** The date of a grant or end-date form: the ids must be readable (400), the date may be refused (422). */
async function withDate(
  permissions: PermissionsService,
  req: Request,
  res: Response,
): Promise<{ codeId: string; serviceId: string; validUntil?: Date | undefined } | undefined> {
  const ids = parsed(parseForm(permissionFormSchema, req.body));
  const form = parseForm(grantFormSchema(permissions.today()), req.body);
  if (form.ok) return form.data;
  const value = (req.body as Record<string, unknown>).validUntil;
  await renderUser(permissions, req, res, { ...ids, value, errors: form.errors });
  return undefined;
}

export function grant(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = await withDate(permissions, req, res);
    if (!form) return;
    const outcome = await permissions.grant(adminScope(req, res), personId, form.codeId, form.serviceId, {
      ...(form.validUntil && { expiresAt: form.validUntil }),
    });
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({
        kind: 'success',
        message: 'permissions.flash.granted',
        params: { service: serviceLabel(req, value.service), code: value.code },
      }),
      unchanged: { kind: 'info', message: 'permissions.flash.alreadyGranted', params: {} },
    });
  };
}

/** Sets, changes or (with an empty date) clears the end date of a current permission. */
export function setEndDate(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = await withDate(permissions, req, res);
    if (!form) return;
    const target = { personId, codeId: form.codeId, serviceId: form.serviceId };
    const outcome = await permissions.setEndDate(adminScope(req, res), target, form.validUntil ?? null);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({
        kind: 'success',
        message: form.validUntil ? 'expiry.flash.endDateSet' : 'expiry.flash.endDateCleared',
        params: {
          service: serviceLabel(req, value.service),
          code: value.code,
          date: form.validUntil ? lastDayOf(form.validUntil) : '',
        },
      }),
      unchanged: { kind: 'info', message: 'expiry.flash.endDateUnchanged', params: {} },
    });
  };
}

export function revoke(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = parsed(parseForm(permissionFormSchema, req.body));
    const outcome = await permissions.revoke(adminScope(req, res), personId, form.codeId, form.serviceId);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({
        kind: 'success',
        message: 'permissions.flash.revoked',
        params: { service: serviceLabel(req, value.service), code: value.code },
      }),
      unchanged: { kind: 'info', message: 'permissions.flash.alreadyRevoked', params: {} },
    });
  };
}

export function removeFromCode(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = parsed(parseForm(codeFormSchema, req.body));
    const outcome = await permissions.removeFromCode(adminScope(req, res), personId, form.codeId);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({ kind: 'success', message: 'permissions.flash.removedFromCode', params: value }),
      unchanged: { kind: 'info', message: 'permissions.flash.nothingOnCode', params: {} },
    });
  };
}

export function removeFromEmployer(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const outcome = await permissions.removeFromEmployer(adminScope(req, res), personId);
    finish(req, res, outcome, {
      redirect: outcome.status === 'changed' ? permissionsPaths.users : userHref(personId),
      changed: (value) => ({ kind: 'success', message: 'permissions.flash.removedFromEmployer', params: value }),
      unchanged: { kind: 'info', message: 'permissions.flash.nothingToRemove', params: {} },
    });
  };
}
