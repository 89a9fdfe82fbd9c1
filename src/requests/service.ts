import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import type { Config } from '../config';
import { enqueueEmail } from '../mail/outbox';
import { administeredCodes } from '../permissions/repository';
import { permissionsService, serviceName, type AdminScope } from '../permissions/service';
import type { FieldError } from '../web/forms';
import { requestsPaths } from './paths';
import * as repository from './repository';
import type { RequestInput } from './schemas';

export type { RequestView } from './repository';

const DAY_MS = 24 * 60 * 60 * 1000;

type PersonActor = Extract<Actor, { type: 'person' }>;

export type Decision = { kind: 'approve' } | { kind: 'reject'; reason: string };

/** What a decision came to; anything but `done` changed nothing. */
export type DecisionResult =
  | { status: 'done'; request: repository.RequestView }
  | { status: 'not-found' | 'forbidden' | 'own' | 'decided' | 'expired' | 'not-granted' };

type RequestsConfig = Pick<Config, 'baseUrl' | 'inactivity' | 'accessRequestDays'>;

async function audit(
  trx: Knex.Transaction,
  actor: Actor,
  action: string,
  request: repository.RequestView | repository.RequestRow,
  data: { before?: unknown; after?: unknown },
  at: Date,
): Promise<void> {
  await recordAudit(
    trx,
    {
      actor,
      action,
      employerId: request.employer_id,
      employerCodeId: request.employer_code_id,
      subjectType: 'access_request',
      subjectId: request.id,
      ...data,
    },
    at,
  );
}

/** Tells the requester that a request was rejected or expired, in their language. */
async function tellRequester(
  trx: Knex.Transaction,
  request: repository.RequestView,
  template: 'access-request-rejected' | 'access-request-expired',
  link: string,
  at: Date,
): Promise<void> {
  const person = await trx('persons')
    .where({ id: request.person_id })
    .first<{ email: string | null; preferred_language: 'sv' | 'en' } | undefined>('email', 'preferred_language');
  if (!person?.email) return;
  const language = person.preferred_language;
  await enqueueEmail(
    trx,
    {
      to: person.email,
      recipientPersonId: request.person_id,
      language,
      template,
      data: {
        name: request.person_name,
        employerName: request.employer_name,
        code: request.code,
        service: serviceName({ key: request.service_key, name: request.service_name }, language),
        ...(template === 'access-request-rejected' && { reason: request.rejection_reason ?? '' }),
        link,
      },
    },
    at,
  );
}

/** Expires every pending request past its time: audited `access_request.expired`, the requester emailed. */
export async function runAccessRequestExpiry(
  db: Knex,
  settings: { baseUrl: string },
  at: Date,
): Promise<{ expired: number }> {
  return db.transaction(async (trx) => {
    const rows = await repository.expireDue(trx, at);
    for (const row of rows) {
      const view = await repository.findView(trx, row.id);
      if (!view) continue;
      const actor: Actor = { type: 'system', requestId: undefined };
      await audit(trx, actor, 'access_request.expired', view, { after: { status: 'expired' } }, at);
      await tellRequester(trx, view, 'access-request-expired', `${settings.baseUrl}${requestsPaths.mine}`, at);
    }
    return { expired: rows.length };
  });
}

type Refusal = Exclude<DecisionResult['status'], 'done' | 'not-granted'>;

/** Why the person may not decide the request now, if they may not. */
async function refusalOf(
  db: Knex,
  scope: AdminScope,
  row: repository.RequestRow | undefined,
  at: Date,
): Promise<Refusal | undefined> {
  if (row?.employer_id !== scope.employerId) return 'not-found';
  const codes = await administeredCodes(db, scope.actor.personId, scope.employerId, at);
  if (!codes.some((code) => code.id === row.employer_code_id)) return 'forbidden';
  if (row.person_id === scope.actor.personId) return 'own';
  if (row.status !== 'pending') return 'decided';
  if (row.expires_at <= at) return 'expired';
  return undefined;
}

/** Users ask for services on employer codes; the administrators of the codes approve or reject. */
export function requestsService(db: Knex, now: () => number, config: RequestsConfig) {
  const mineLink = `${config.baseUrl}${requestsPaths.mine}`;
  const queueLink = `${config.baseUrl}${requestsPaths.queue}`;

  return {
    /** What the person may ask for at the employer: active codes and services, less what they have or asked for. */
    async choices(personId: string, employerId: string) {
      const at = new Date(now());
      const [codes, services, held, pending] = await Promise.all([
        repository.activeCodes(db, employerId),
        repository.activeServices(db),
        repository.currentGrantKeys(db, personId, at),
        repository.pendingKeys(db, personId, at),
      ]);
      return { codes, services, held: new Set(held), pending: new Set(pending) };
    },

    /** The person's requests; a pending one past its time shows as expired, whether or not the job has run. */
    async mine(personId: string, employerId: string): Promise<repository.RequestView[]> {
      const at = now();
      const rows = await repository.requestsOf(db, personId, employerId);
      return rows.map((row) =>
        row.status === 'pending' && row.expires_at.getTime() <= at ? { ...row, status: 'expired' as const } : row,
      );
    },

    /** Submits a request: one row per code and service, audited per code, the administrators emailed. */
    async submit(
      actor: PersonActor,
      employerId: string,
      input: RequestInput,
    ): Promise<{ status: 'submitted'; count: number } | { status: 'invalid'; errors: FieldError[] }> {
      const at = new Date(now());
      const invalid = (message: string) => ({ status: 'invalid' as const, errors: [{ field: 'items', message }] });
      return db.transaction(async (trx) => {
        // one submission at a time per person, so that two tabs cannot both pass the duplicate check
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`access-request:${actor.personId}`]);
        const codes = await repository.activeCodes(trx, employerId);
        const services = await repository.activeServices(trx);
        const held = new Set(await repository.currentGrantKeys(trx, actor.personId, at));
        const pending = new Set(await repository.pendingKeys(trx, actor.personId, at));
        for (const item of input.items) {
          const key = `${item.codeId}:${item.serviceId}`;
          if (!codes.some((code) => code.id === item.codeId) || !services.some((s) => s.id === item.serviceId)) {
            return invalid('requests.errors.itemsInvalid');
          }
          if (held.has(key)) return invalid('requests.errors.alreadyHeld');
          if (pending.has(key)) return invalid('requests.errors.alreadyPending');
        }
        // a pending request past its time is expired now, so the unique index lets the new one in
        const stale = await repository.expireDue(trx, at);
        for (const row of stale) {
          await audit(trx, { type: 'system', requestId: undefined }, 'access_request.expired', row, {}, at);
        }
        const batchId = crypto.randomUUID();
        const expiresAt = new Date(at.getTime() + config.accessRequestDays * DAY_MS);
        const rows = await trx('access_requests')
          .insert(
            input.items.map((item) => ({
              batch_id: batchId,
              person_id: actor.personId,
              employer_id: employerId,
              employer_code_id: item.codeId,
              service_id: item.serviceId,
              reason: input.reason,
              created_at: at,
              expires_at: expiresAt,
            })),
          )
          .returning<repository.RequestRow[]>('*');
        const views = await Promise.all(rows.map((row) => repository.findView(trx, row.id)));
        const codeIds = [...new Set(rows.map((row) => row.employer_code_id))];
        for (const codeId of codeIds) {
          const mine = views.filter((view) => view?.employer_code_id === codeId);
          const [first] = mine;
          if (!first) continue;
          await recordAudit(
            trx,
            {
              actor,
              action: 'access_request.submitted',
              employerId,
              employerCodeId: codeId,
              subjectType: 'access_request',
              subjectId: first.id,
              after: {
                personId: actor.personId,
                code: first.code,
                services: mine.map((view) => view?.service_key),
                expiresAt: expiresAt.toISOString(),
              },
            },
            at,
          );
        }
        const recipients = await repository.administratorsOf(trx, employerId, codeIds, actor.personId, at);
        const [someone] = views;
        for (const recipient of recipients) {
          const language = recipient.preferred_language;
          await enqueueEmail(
            trx,
            {
              to: recipient.email,
              recipientPersonId: recipient.id,
              language,
              template: 'access-request-submitted',
              data: {
                name: recipient.display_name,
                requesterName: someone?.person_name ?? '',
                employerName: someone?.employer_name ?? '',
                items: views
                  .filter((view) => view && recipient.code_ids.includes(view.employer_code_id))
                  .map((view) =>
                    view
                      ? `${view.code}: ${serviceName({ key: view.service_key, name: view.service_name }, language)}`
                      : '',
                  ),
                reason: input.reason,
                link: queueLink,
              },
            },
            at,
          );
        }
        return { status: 'submitted', count: rows.length };
      });
    },

    /** The pending requests on the codes the person administers (never their own). */
    async queue(scope: AdminScope) {
      const at = new Date(now());
      const codes = await administeredCodes(db, scope.actor.personId, scope.employerId, at);
      return repository.pendingOn(
        db,
        codes.map((code) => code.id),
        at,
      );
    },

    /** Why the person may not decide the request now (read without a lock: for showing a refused form). */
    async refusal(scope: AdminScope, requestId: string): Promise<Refusal | undefined> {
      const row = await db('access_requests').where({ id: requestId }).first<repository.RequestRow | undefined>('*');
      return refusalOf(db, scope, row, new Date(now()));
    },

    /**
     * Approves (the permission granted through the permissions service, in the same transaction: audited and
     * emailed) or rejects (the requester emailed). The row lock makes one of two simultaneous decisions win; the
     * other finds the request decided.
     */
    async decide(scope: AdminScope, requestId: string, decision: Decision): Promise<DecisionResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const row = await repository.lockRequest(trx, requestId);
        const refusal = await refusalOf(trx, scope, row, at);
        if (refusal || !row) return { status: refusal ?? 'not-found' };
        const view = await repository.findView(trx, requestId);
        if (!view) return { status: 'not-found' };
        if (decision.kind === 'approve') {
          const granted = await permissionsService(trx, now, config).grant(
            scope,
            row.person_id,
            row.employer_code_id,
            row.service_id,
            { requested: true },
          );
          if (granted.status !== 'changed' && granted.status !== 'unchanged') {
            // rolls the savepoint back only; nothing was written
            return { status: 'not-granted' };
          }
          await repository.decide(trx, requestId, { status: 'approved', decidedBy: scope.actor.personId, at });
          await audit(trx, scope.actor, 'access_request.approved', view, { after: auditData(view, 'approved') }, at);
          return { status: 'done', request: { ...view, status: 'approved' } };
        }
        await repository.decide(trx, requestId, {
          status: 'rejected',
          decidedBy: scope.actor.personId,
          at,
          rejectionReason: decision.reason,
        });
        const rejected = { ...view, status: 'rejected' as const, rejection_reason: decision.reason };
        await audit(
          trx,
          scope.actor,
          'access_request.rejected',
          rejected,
          { after: auditData(rejected, 'rejected') },
          at,
        );
        await tellRequester(trx, rejected, 'access-request-rejected', mineLink, at);
        return { status: 'done', request: rejected };
      });
    },
  };
}

function auditData(view: repository.RequestView, status: repository.RequestStatus) {
  return {
    personId: view.person_id,
    code: view.code,
    service: view.service_key,
    status,
    ...(view.rejection_reason !== null && { rejectionReason: view.rejection_reason }),
  };
}

export type RequestsService = ReturnType<typeof requestsService>;
