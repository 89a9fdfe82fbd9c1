import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import { contactCompletion } from '../persons/service';
import type { Config } from '../config';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { enqueueEmail } from '../mail/outbox';
import type { FieldError } from '../web/forms';
import { writeCsv, type CsvLabels } from './csv';
import { lastDayOf } from './end-date';
import * as repository from './repository';
import type { GrantInput, NewUserInput } from './schemas';

export type { CodeRow, OverviewRow, PersonRow, ServiceRow } from './repository';

export const USERS_PER_PAGE = 50;

/** The person acting, and the employer they act for (the employer context). Codes are read from the database. */
export interface AdminScope {
  employerId: string;
  actor: Extract<Actor, { type: 'person' }>;
}

/** What a change came to. `unchanged`: the permission was already there, or already gone; nothing was written. */
export type Change<T> =
  | { status: 'changed'; value: T }
  | { status: 'unchanged' }
  | { status: 'forbidden' }
  | { status: 'not-found' }
  | { status: 'invalid'; errors: FieldError[] };

export interface OverviewQuery {
  codeId?: string | undefined;
  serviceKey?: string | undefined;
  inactiveOnly: boolean;
  search: string;
  page: number;
}

type PermissionsConfig = Pick<Config, 'baseUrl' | 'inactivity'>;

const EN_SERVICE_NAMES = (() => {
  const file = path.resolve(import.meta.dirname, '../locales/en.json');
  const locale = JSON.parse(readFileSync(file, 'utf8')) as { services?: Record<string, { name?: string }> };
  return locale.services ?? {};
})();

/** A service's name in the reader's language (Swedish from the catalogue, English from the locale file). */
export function serviceName(service: { key: string; name: string }, language: 'sv' | 'en'): string {
  return language === 'en' ? (EN_SERVICE_NAMES[service.key]?.name ?? service.name) : service.name;
}

/** How the search term is read: a whole identity number, a part of one (digits), or a name or address. */
export function searchOf(term: string, today: Date): repository.OverviewFilter['search'] {
  const trimmed = term.trim();
  if (trimmed === '') return { kind: 'none' };
  const pin = normalisePersonalIdentityNumber(trimmed, today);
  if (pin) return { kind: 'pin', value: pin };
  const digits = trimmed.replace(/[\s-]/g, '');
  if (/^[0-9]{4,12}$/.test(digits)) return { kind: 'digits', value: digits };
  return { kind: 'text', value: trimmed };
}

function cutoffOf(at: Date, months: number): Date {
  const cutoff = new Date(at);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

interface CodeChange {
  code: repository.CodeRow;
  granted: repository.ServiceRow[];
  removed: repository.ServiceRow[];
}

/** Administrators (and the orderer and delegate) give and take users' permissions on the codes they administer. */
export function permissionsService(db: Knex, now: () => number, config: PermissionsConfig) {
  const link = `${config.baseUrl}/oversikt`;

  async function codesOf(dbOrTrx: Knex, scope: AdminScope, at: Date) {
    return repository.administeredCodes(dbOrTrx, scope.actor.personId, scope.employerId, at);
  }

  function filterOf(codes: repository.CodeRow[], query: OverviewQuery, at: Date): repository.OverviewFilter {
    return {
      codeIds: codes.map((code) => code.id),
      codeId: query.codeId,
      serviceKey: query.serviceKey,
      search: searchOf(query.search, at),
      inactiveOnly: query.inactiveOnly,
      at,
      cutoff: cutoffOf(at, config.inactivity.months),
    };
  }

  /** Has the person ever held a permission on these codes? Anyone else is outside the administrator's reach. */
  async function reachable(trx: Knex, personId: string, codeIds: string[]): Promise<boolean> {
    if (codeIds.length === 0) return false;
    const row = await trx('permissions')
      .where('person_id', personId)
      .whereIn('employer_code_id', codeIds)
      .first<{ id: string } | undefined>('id');
    return row !== undefined;
  }

  async function employerName(trx: Knex, employerId: string): Promise<string> {
    const row = await trx('employers').where({ id: employerId }).first<{ name: string } | undefined>('name');
    if (!row) throw new Error('employer vanished');
    return row.name;
  }

  /** One email per code that changed, to the person, in their language; nothing for a person without an address. */
  async function notify(
    trx: Knex.Transaction,
    person: repository.PersonRow,
    employer: string,
    changes: CodeChange[],
    at: Date,
    expiresAt: Date | null = null,
  ): Promise<void> {
    if (!person.email) return;
    const language = person.preferred_language;
    for (const change of changes) {
      if (change.granted.length === 0 && change.removed.length === 0) continue;
      await enqueueEmail(
        trx,
        {
          to: person.email,
          recipientPersonId: person.id,
          language,
          template: 'permission-changed',
          data: {
            name: person.display_name,
            employerName: employer,
            code: change.code.code,
            granted: change.granted.map((service) => serviceName(service, language)),
            removed: change.removed.map((service) => serviceName(service, language)),
            ...(expiresAt && change.granted.length > 0 && { validUntil: lastDayOf(expiresAt) }),
            link,
          },
        },
        at,
      );
    }
  }

  async function audit(
    trx: Knex.Transaction,
    scope: AdminScope,
    action: string,
    code: repository.CodeRow,
    subject: { type: string; id: string },
    data: { before?: unknown; after?: unknown },
    at: Date,
  ): Promise<void> {
    await recordAudit(
      trx,
      {
        actor: scope.actor,
        action,
        employerId: scope.employerId,
        employerCodeId: code.id,
        subjectType: subject.type,
        subjectId: subject.id,
        ...data,
      },
      at,
    );
  }

  /** Revokes on the codes and tells the person: one `user.removed_from_code` per code, one `user-removed` email. */
  async function removeFrom(
    trx: Knex.Transaction,
    scope: AdminScope,
    person: repository.PersonRow,
    codes: repository.CodeRow[],
    services: repository.ServiceRow[],
    at: Date,
  ): Promise<repository.CodeRow[]> {
    const revoked = await repository.revokeGrants(
      trx,
      { personId: person.id, codeIds: codes.map((code) => code.id) },
      scope.actor.personId,
      at,
    );
    const touched = codes.filter((code) => revoked.some((row) => row.employer_code_id === code.id));
    for (const code of touched) {
      const rows = revoked.filter((row) => row.employer_code_id === code.id);
      await audit(
        trx,
        scope,
        'user.removed_from_code',
        code,
        { type: 'person', id: person.id },
        {
          before: {
            personId: person.id,
            code: code.code,
            permissions: rows.map((row) => ({
              id: row.id,
              service: services.find((service) => service.id === row.service_id)?.key,
            })),
          },
        },
        at,
      );
    }
    if (touched.length > 0 && person.email) {
      await enqueueEmail(
        trx,
        {
          to: person.email,
          recipientPersonId: person.id,
          language: person.preferred_language,
          template: 'user-removed',
          data: {
            name: person.display_name,
            employerName: await employerName(trx, scope.employerId),
            code: touched.map((code) => code.code).join(', '),
            link,
          },
        },
        at,
      );
    }
    return touched;
  }

  /**
   * Loads what every single-person change needs, refusing codes and persons out of reach. `requested`: the person
   * asked for this change themselves (an access request on a code of the employer), which puts them in reach.
   */
  async function prepare(
    trx: Knex.Transaction,
    scope: AdminScope,
    personId: string,
    codeIds: string[],
    at: Date,
    requested = false,
  ) {
    const codes = await codesOf(trx, scope, at);
    const person = await repository.findPerson(trx, personId);
    if (!person) return { status: 'not-found' as const };
    const wanted = codeIds.map((id) => codes.find((code) => code.id === id));
    if (wanted.some((code) => code === undefined)) return { status: 'forbidden' as const };
    if (
      !requested &&
      !(await reachable(
        trx,
        personId,
        codes.map((code) => code.id),
      ))
    )
      return { status: 'forbidden' as const };
    const services = await repository.listServices(trx);
    return { status: 'ok' as const, codes, person, services, wanted: wanted as repository.CodeRow[] };
  }

  async function changeOne(
    scope: AdminScope,
    target: { personId: string; codeId: string; serviceId: string },
    kind: 'grant' | 'revoke',
    expiresAt: Date | null = null,
    requested = false,
  ): Promise<Change<{ code: string; service: string }>> {
    const at = new Date(now());
    return db.transaction(async (trx) => {
      const ready = await prepare(trx, scope, target.personId, [target.codeId], at, requested);
      if (ready.status !== 'ok') return { status: ready.status };
      const [code] = ready.wanted;
      if (!code) return { status: 'forbidden' };
      const service = ready.services.find((candidate) => candidate.id === target.serviceId);
      if (!service || (kind === 'grant' && !service.active)) {
        return { status: 'invalid', errors: [{ field: 'serviceId', message: 'permissions.errors.serviceInvalid' }] };
      }
      const key = { personId: target.personId, codeId: code.id, serviceId: service.id };
      const ids =
        kind === 'grant'
          ? [await repository.insertGrant(trx, key, scope.actor.personId, at, expiresAt)].filter(
              (id) => id !== undefined,
            )
          : (
              await repository.revokeGrants(
                trx,
                { personId: key.personId, codeIds: [code.id], serviceId: service.id },
                scope.actor.personId,
                at,
              )
            ).map((row) => row.id);
      const [id] = ids;
      if (id === undefined) return { status: 'unchanged' };
      const data = {
        personId: target.personId,
        code: code.code,
        service: service.key,
        ...(expiresAt && { expiresAt: expiresAt.toISOString() }),
      };
      await audit(
        trx,
        scope,
        kind === 'grant' ? 'permission.granted' : 'permission.revoked',
        code,
        { type: 'permission', id },
        kind === 'grant' ? { after: data } : { before: data },
        at,
      );
      await notify(
        trx,
        ready.person,
        await employerName(trx, scope.employerId),
        [{ code, granted: kind === 'grant' ? [service] : [], removed: kind === 'revoke' ? [service] : [] }],
        at,
        expiresAt,
      );
      return { status: 'changed', value: { code: code.code, service: service.key } };
    });
  }

  return {
    /** The service's clock (the form's identity number must not be a date after today). */
    today(): Date {
      return new Date(now());
    },

    /** The codes the person administers at the employer, and the service catalogue (for forms and filters). */
    async choices(scope: AdminScope) {
      const at = new Date(now());
      const [codes, services] = await Promise.all([codesOf(db, scope, at), repository.listServices(db)]);
      return { codes, services };
    },

    /** A page of users (50) and the count: a constant number of set-based queries, whatever the number of users. */
    async overview(scope: AdminScope, query: OverviewQuery) {
      const at = new Date(now());
      const { codes, services } = await this.choices(scope);
      if (query.codeId && !codes.some((code) => code.id === query.codeId)) return { status: 'forbidden' as const };
      if (codes.length === 0) return { status: 'forbidden' as const };
      const filter = filterOf(codes, query, at);
      const [rows, total] = await Promise.all([
        repository.overviewPage(db, filter, USERS_PER_PAGE, (query.page - 1) * USERS_PER_PAGE),
        repository.overviewCount(db, filter),
      ]);
      return {
        status: 'ok' as const,
        codes,
        services,
        rows,
        total,
        page: query.page,
        pageCount: Math.max(1, Math.ceil(total / USERS_PER_PAGE)),
      };
    },

    /** Writes the overview's users (all pages) as CSV to `out`, read through a server-side cursor, 500 rows a time. */
    async exportCsv(scope: AdminScope, query: OverviewQuery, out: Writable, labels: CsvLabels) {
      const at = new Date(now());
      const codes = await codesOf(db, scope, at);
      if (codes.length === 0 || (query.codeId && !codes.some((code) => code.id === query.codeId))) return false;
      const statement = repository.exportQuery(db, filterOf(codes, query, at));
      await writeCsv(db, statement, out, labels);
      return true;
    },

    /** One user as the administrator sees them: their permissions on the administered codes. */
    async user(scope: AdminScope, personId: string) {
      const at = new Date(now());
      const { codes, services } = await this.choices(scope);
      const person = await repository.findPerson(db, personId);
      if (!person) return { status: 'not-found' as const };
      const codeIds = codes.map((code) => code.id);
      if (!(await reachable(db, personId, codeIds))) return { status: 'forbidden' as const };
      const grants = await repository.currentGrants(db, personId, codeIds, at);
      return { status: 'ok' as const, person, codes, services, grants };
    },

    /**
     * Grants one permission, until `options.expiresAt` when given (the end moment: see end-date.ts).
     * `options.requested`: granted on the person's own access request, so the person is in reach even without an
     * earlier permission on the administrator's codes.
     */
    grant(
      scope: AdminScope,
      personId: string,
      codeId: string,
      serviceId: string,
      options?: { expiresAt?: Date; requested?: boolean },
    ) {
      return changeOne(
        scope,
        { personId, codeId, serviceId },
        'grant',
        options?.expiresAt ?? null,
        options?.requested ?? false,
      );
    },

    /** Sets (or with null clears) the end date of a current permission: audited `permission.end_date_changed`. */
    async setEndDate(
      scope: AdminScope,
      target: { personId: string; codeId: string; serviceId: string },
      expiresAt: Date | null,
    ): Promise<Change<{ code: string; service: string }>> {
      const at = new Date(now());
      if (expiresAt && expiresAt <= at) {
        return { status: 'invalid', errors: [{ field: 'validUntil', message: 'expiry.errors.dateNotFuture' }] };
      }
      return db.transaction(async (trx) => {
        const ready = await prepare(trx, scope, target.personId, [target.codeId], at);
        if (ready.status !== 'ok') return { status: ready.status };
        const [code] = ready.wanted;
        const service = ready.services.find((candidate) => candidate.id === target.serviceId);
        if (!code || !service) return { status: 'forbidden' };
        const key = { personId: target.personId, codeId: code.id, serviceId: service.id };
        const changed = await repository.setExpiry(trx, key, expiresAt, at);
        // no current permission (removed meanwhile): nothing to change, like a second removal
        if (!changed) return { status: 'unchanged' };
        if ((changed.before?.getTime() ?? null) === (expiresAt?.getTime() ?? null)) return { status: 'unchanged' };
        const data = { personId: target.personId, code: code.code, service: service.key };
        await audit(
          trx,
          scope,
          'permission.end_date_changed',
          code,
          { type: 'permission', id: changed.id },
          {
            before: { ...data, expiresAt: changed.before?.toISOString() ?? null },
            after: { ...data, expiresAt: expiresAt?.toISOString() ?? null },
          },
          at,
        );
        return { status: 'changed', value: { code: code.code, service: service.key } };
      });
    },

    revoke(scope: AdminScope, personId: string, codeId: string, serviceId: string) {
      return changeOne(scope, { personId, codeId, serviceId }, 'revoke');
    },

    /** Adds a user (matched by identity number, or created) with the ticked services; existing grants are kept. */
    async addUser(
      scope: AdminScope,
      input: NewUserInput,
    ): Promise<Change<{ personId: string; created: boolean; granted: number }>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const codes = await codesOf(trx, scope, at);
        const services = await repository.listServices(trx);
        if (input.grants.some((grant) => !codes.some((code) => code.id === grant.codeId))) {
          return { status: 'forbidden' };
        }
        if (input.grants.some((grant) => !services.some((s) => s.id === grant.serviceId && s.active))) {
          return { status: 'invalid', errors: [{ field: 'grants', message: 'permissions.errors.grantsInvalid' }] };
        }
        const {
          row: person,
          created,
          filled,
        } = await repository.findOrInsertPerson(
          trx,
          { pin: input.personalIdentityNumber, name: input.name, email: input.email },
          at,
        );
        const changes = await grantAll(trx, scope, person, input, codes, services, at);
        const granted = changes.reduce((sum, change) => sum + change.granted.length, 0);
        // the new person, or a known person's missing email filled in: one row per code of the form, like the grants
        const completion = contactCompletion(filled);
        const personChange = created
          ? { action: 'user.added', data: { after: { name: person.display_name, email: person.email } } }
          : completion && { action: 'person.contact_completed', data: completion };
        if (personChange) {
          const formCodes = codes.filter((code) => input.grants.some((grant) => grant.codeId === code.id));
          for (const code of formCodes) {
            await audit(
              trx,
              scope,
              personChange.action,
              code,
              { type: 'person', id: person.id },
              personChange.data,
              at,
            );
          }
        }
        if (granted > 0) {
          const employer = await employerName(trx, scope.employerId);
          await notify(trx, person, employer, changes, at, input.validUntil ?? null);
        }
        // granted 0: every ticked permission was there already; nothing was written (a new person always gets one)
        return { status: 'changed', value: { personId: person.id, created, granted } };
      });
    },

    /** Ends every permission the person holds on one code. */
    async removeFromCode(scope: AdminScope, personId: string, codeId: string): Promise<Change<{ code: string }>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const ready = await prepare(trx, scope, personId, [codeId], at);
        if (ready.status !== 'ok') return { status: ready.status };
        const [code] = ready.wanted;
        if (!code) return { status: 'forbidden' };
        const touched = await removeFrom(trx, scope, ready.person, [code], ready.services, at);
        return touched.length === 0 ? { status: 'unchanged' } : { status: 'changed', value: { code: code.code } };
      });
    },

    /** Ends every permission the person holds on the codes the administrator administers. */
    async removeFromEmployer(scope: AdminScope, personId: string): Promise<Change<{ name: string }>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const ready = await prepare(trx, scope, personId, [], at);
        if (ready.status !== 'ok') return { status: ready.status };
        const touched = await removeFrom(trx, scope, ready.person, ready.codes, ready.services, at);
        return touched.length === 0
          ? { status: 'unchanged' }
          : { status: 'changed', value: { name: ready.person.display_name } };
      });
    },

    /**
     * Removes the ticked users that are still inactive (one who logged in meanwhile is kept), each audited and emailed
     * as a removal from the employer. A person never on the administrator's codes makes the whole request forbidden.
     */
    async removeInactive(scope: AdminScope, personIds: string[]): Promise<Change<{ removed: number; kept: number }>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const codes = await codesOf(trx, scope, at);
        const codeIds = codes.map((code) => code.id);
        const unique = [...new Set(personIds)];
        const known = await trx('permissions')
          .whereIn('person_id', unique)
          .whereIn('employer_code_id', codeIds)
          .distinct<{ person_id: string }[]>('person_id');
        if (codeIds.length === 0 || known.length !== unique.length) return { status: 'forbidden' };
        const inactive = await repository.inactiveAmong(
          trx,
          unique,
          codeIds,
          at,
          cutoffOf(at, config.inactivity.months),
        );
        const services = await repository.listServices(trx);
        let removed = 0;
        for (const personId of inactive) {
          const person = await repository.findPerson(trx, personId);
          if (person && (await removeFrom(trx, scope, person, codes, services, at)).length > 0) removed += 1;
        }
        if (removed === 0) return { status: 'unchanged' };
        return { status: 'changed', value: { removed, kept: unique.length - removed } };
      });
    },
  };

  async function grantAll(
    trx: Knex.Transaction,
    scope: AdminScope,
    person: repository.PersonRow,
    { grants, validUntil }: { grants: GrantInput[]; validUntil?: Date | undefined },
    codes: repository.CodeRow[],
    services: repository.ServiceRow[],
    at: Date,
  ): Promise<CodeChange[]> {
    const changes: CodeChange[] = [];
    for (const code of codes) {
      const change: CodeChange = { code, granted: [], removed: [] };
      for (const service of services) {
        if (!grants.some((grant) => grant.codeId === code.id && grant.serviceId === service.id)) continue;
        const key = { personId: person.id, codeId: code.id, serviceId: service.id };
        const id = await repository.insertGrant(trx, key, scope.actor.personId, at, validUntil ?? null);
        if (id === undefined) continue;
        change.granted.push(service);
        const after = { personId: person.id, code: code.code, service: service.key };
        await audit(
          trx,
          scope,
          'permission.granted',
          code,
          { type: 'permission', id },
          { after: validUntil ? { ...after, expiresAt: validUntil.toISOString() } : after },
          at,
        );
      }
      if (change.granted.length > 0) changes.push(change);
    }
    return changes;
  }
}

export type PermissionsService = ReturnType<typeof permissionsService>;
