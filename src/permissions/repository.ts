import { findOrCreatePerson as findOrCreateByNumber } from '../persons/service';
import type { Knex } from 'knex';

export interface CodeRow {
  id: string;
  code: string;
  name: string;
  active: boolean;
}

export interface ServiceRow {
  id: string;
  key: string;
  name: string;
  active: boolean;
}

export interface PersonRow {
  id: string;
  display_name: string;
  personal_identity_number: string;
  email: string | null;
  preferred_language: 'sv' | 'en';
  last_login_at: Date | null;
}

export interface GrantedCode {
  codeId: string;
  code: string;
  services: { id: string; key: string; name: string }[];
}

export interface OverviewRow extends PersonRow {
  inactive: boolean;
  codes: GrantedCode[] | null;
}

/** What the overview and the export select on. `codeIds` are the codes administered: nothing outside them shows. */
export interface OverviewFilter {
  codeIds: string[];
  codeId: string | undefined;
  serviceKey: string | undefined;
  search:
    | { kind: 'none' }
    | { kind: 'pin'; value: string }
    | { kind: 'digits'; value: string }
    | { kind: 'text'; value: string };
  inactiveOnly: boolean;
  at: Date;
  cutoff: Date;
}

/** A uuid[] literal: knex would spread a JS array into a list of bindings. Ids are uuids (checked before). */
export const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

const likeEscape = (value: string): string => value.replace(/[\\%_]/g, (match) => `\\${match}`);

/** Current permissions: not revoked and not lapsed. `alias` is the permissions table's alias. */
const CURRENT = (alias: string) =>
  `${alias}.revoked_at is null and (${alias}.expires_at is null or ${alias}.expires_at > :at)`;

/**
 * The users of the administered codes matching the filter, one row per person, in a CTE named `matched`. Set-based:
 * the permissions of the codes (partial index on employer_code_id) grouped per person, then joined to persons.
 * A user is inactive when they hold a permission granted before the cutoff and have not logged in since it (the
 * inactivity job's rule).
 */
function matched(filter: OverviewFilter): { sql: string; bindings: Record<string, unknown> } {
  const bindings: Record<string, unknown> = {
    codeIds: uuidArray(filter.codeIds),
    at: filter.at,
    cutoff: filter.cutoff,
    codeId: filter.codeId ?? null,
    serviceKey: filter.serviceKey ?? null,
  };
  let search = 'true';
  if (filter.search.kind === 'pin') {
    search = 'pe.personal_identity_number = :term';
    bindings.term = filter.search.value;
  } else if (filter.search.kind === 'digits') {
    search = `(pe.personal_identity_number like :term or substr(pe.personal_identity_number, 3) like :term)`;
    bindings.term = `${filter.search.value}%`;
  } else if (filter.search.kind === 'text') {
    search = `(lower(pe.display_name) like :term or lower(pe.email) like :term)`;
    bindings.term = `%${likeEscape(filter.search.value.toLowerCase())}%`;
  }
  const inactive = `(u.old_grant and (pe.last_login_at is null or pe.last_login_at < :cutoff))`;
  const sql = `
    with users as (
      select p.person_id, bool_or(p.granted_at < :cutoff) as old_grant
        from permissions p
       where p.employer_code_id = any(cast(:codeIds as uuid[])) and ${CURRENT('p')}
       group by p.person_id
      having bool_or((cast(:codeId as uuid) is null or p.employer_code_id = cast(:codeId as uuid))
                 and (cast(:serviceKey as text) is null
                      or p.service_id = (select s.id from services s where s.key = cast(:serviceKey as text))))
    ),
    matched as (
      select pe.id, pe.display_name, pe.personal_identity_number, pe.email, pe.preferred_language, pe.last_login_at,
             ${inactive} as inactive
        from users u
        join persons pe on pe.id = u.person_id
       where ${search} ${filter.inactiveOnly ? `and ${inactive}` : ''}
    )`;
  return { sql, bindings };
}

/** Per person of the page, the services granted on each administered code (index lookups on the page's persons). */
const GRANTS_OF_PAGE = `
  left join lateral (
    select json_agg(json_build_object('codeId', x.code_id, 'code', x.code, 'services', x.services) order by x.code) as codes
      from (select c.id as code_id, c.code,
                   json_agg(json_build_object('id', s.id, 'key', s.key, 'name', s.name) order by s.sort_order, s.key) as services
              from permissions p
              join employer_codes c on c.id = p.employer_code_id
              join services s on s.id = p.service_id
             where p.person_id = page.id and p.employer_code_id = any(cast(:codeIds as uuid[])) and ${CURRENT('p')}
             group by c.id, c.code) x
  ) g on true`;

const ORDER = 'lower(display_name), id';

export async function overviewPage(
  db: Knex,
  filter: OverviewFilter,
  limit: number,
  offset: number,
): Promise<OverviewRow[]> {
  const { sql, bindings } = matched(filter);
  const { rows } = await db.raw<{ rows: OverviewRow[] }>(
    `${sql}
     select page.*, g.codes
       from (select * from matched order by ${ORDER} limit :limit offset :offset) page
     ${GRANTS_OF_PAGE}
      order by lower(page.display_name), page.id`,
    { ...bindings, limit, offset },
  );
  return rows;
}

export async function overviewCount(db: Knex, filter: OverviewFilter): Promise<number> {
  const { sql, bindings } = matched(filter);
  const { rows } = await db.raw<{ rows: { count: number }[] }>(
    `${sql} select count(*)::int as count from matched`,
    bindings,
  );
  return rows[0]?.count ?? 0;
}

export interface ExportRow {
  display_name: string;
  personal_identity_number: string;
  email: string | null;
  last_login_at: Date | null;
  inactive: boolean;
  code: string;
  services: string;
}

/** The export's statement: one row per user and code, services by name; for a server-side cursor. */
export function exportQuery(db: Knex, filter: OverviewFilter): Knex.Raw {
  const { sql, bindings } = matched(filter);
  return db.raw(
    `${sql}
     select m.display_name, m.personal_identity_number, m.email, m.last_login_at, m.inactive, c.code,
            string_agg(s.name, ', ' order by s.sort_order, s.key) as services
       from matched m
       join permissions p on p.person_id = m.id and p.employer_code_id = any(cast(:codeIds as uuid[])) and ${CURRENT('p')}
       join employer_codes c on c.id = p.employer_code_id
       join services s on s.id = p.service_id
      group by m.id, m.display_name, m.personal_identity_number, m.email, m.last_login_at, m.inactive, c.code
      order by lower(m.display_name), m.id, c.code`,
    bindings,
  );
}

/**
 * The codes of the employer the person may administer now, read from the role assignments themselves (not from the
 * session): an administrator's own codes; every code for the orderer and a delegate.
 */
export function administeredCodes(db: Knex, personId: string, employerId: string, at: Date): Promise<CodeRow[]> {
  return db('employer_codes as c')
    .where('c.employer_id', employerId)
    .whereExists(function () {
      void this.select(db.raw('1'))
        .from('role_assignments as r')
        .where('r.person_id', personId)
        .whereNull('r.revoked_at')
        .where((query) => {
          void query.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
        })
        .where((query) => {
          void query
            .where((admin) => {
              void admin.where('r.role', 'administrator').whereRaw('r.employer_code_id = c.id');
            })
            .orWhere((lead) => {
              void lead.whereIn('r.role', ['orderer', 'delegate']).whereRaw('r.employer_id = c.employer_id');
            });
        });
    })
    .orderBy('c.code')
    .select<CodeRow[]>('c.id', 'c.code', 'c.name', 'c.active');
}

export function listServices(db: Knex): Promise<ServiceRow[]> {
  return db('services').orderBy(['sort_order', 'key']).select<ServiceRow[]>('id', 'key', 'name', 'active');
}

const PERSON_COLUMNS = [
  'pe.id',
  'pe.display_name',
  'pe.personal_identity_number',
  'pe.email',
  'pe.preferred_language',
  'pe.last_login_at',
];

export function findPerson(db: Knex, personId: string): Promise<PersonRow | undefined> {
  return db('persons as pe').where('pe.id', personId).first<PersonRow | undefined>(PERSON_COLUMNS);
}

export function findPersonByPin(db: Knex, pin: string): Promise<PersonRow | undefined> {
  return db('persons as pe').where('pe.personal_identity_number', pin).first<PersonRow | undefined>(PERSON_COLUMNS);
}

/** The person with this number, created when unknown (the persons feature's rule), as this feature reads them. */
export async function findOrInsertPerson(
  trx: Knex.Transaction,
  person: { pin: string; name: string; email: string },
  at: Date,
): Promise<{ row: PersonRow; created: boolean }> {
  const { created } = await findOrCreateByNumber(
    trx,
    { personalIdentityNumber: person.pin, name: person.name, email: person.email },
    at,
  );
  const row = await findPersonByPin(trx, person.pin);
  if (!row) throw new Error('person vanished');
  return { row, created };
}

/** The person's current grants on the given codes. */
export function currentGrants(
  db: Knex,
  personId: string,
  codeIds: readonly string[],
  at: Date,
): Promise<{ id: string; employer_code_id: string; service_id: string; granted_at: Date; source: string }[]> {
  return db('permissions as p')
    .where('p.person_id', personId)
    .whereIn('p.employer_code_id', codeIds)
    .whereRaw(CURRENT('p'), { at })
    .select('p.id', 'p.employer_code_id', 'p.service_id', 'p.granted_at', 'p.source');
}

export interface GrantKey {
  personId: string;
  codeId: string;
  serviceId: string;
}

/**
 * Grants one permission; undefined when it is already granted. A lapsed row is revoked first (the unique index
 * counts every row not revoked); the insert leans on that index, so two grants at once make one row.
 */
export async function insertGrant(
  trx: Knex.Transaction,
  key: GrantKey,
  grantedBy: string,
  at: Date,
): Promise<string | undefined> {
  await trx('permissions')
    .where({ person_id: key.personId, employer_code_id: key.codeId, service_id: key.serviceId })
    .whereNull('revoked_at')
    .where('expires_at', '<=', at)
    .update({ revoked_at: at });
  const { rows } = await trx.raw<{ rows: { id: string }[] }>(
    `insert into permissions (person_id, employer_code_id, service_id, granted_by_person_id, granted_at, source)
     values (:personId, :codeId, :serviceId, :grantedBy, :at, 'portal')
     on conflict (person_id, employer_code_id, service_id) where revoked_at is null do nothing
     returning id`,
    { ...key, grantedBy, at },
  );
  return rows[0]?.id;
}

/**
 * Revokes the person's current permissions on the codes (one service, or all), row by row: a row another request
 * revoked first is left alone (the update re-checks `revoked_at is null` after waiting for its lock).
 */
export async function revokeGrants(
  trx: Knex.Transaction,
  target: { personId: string; codeIds: readonly string[]; serviceId?: string },
  revokedBy: string,
  at: Date,
): Promise<{ id: string; employer_code_id: string; service_id: string }[]> {
  const query = trx('permissions as p')
    .where('p.person_id', target.personId)
    .whereIn('p.employer_code_id', target.codeIds)
    .whereRaw(CURRENT('p'), { at });
  if (target.serviceId) void query.where('p.service_id', target.serviceId);
  return query
    .update({ revoked_at: at, revoked_by_person_id: revokedBy })
    .returning<{ id: string; employer_code_id: string; service_id: string }[]>([
      'id',
      'employer_code_id',
      'service_id',
    ]);
}

/** Of the persons, those inactive on the codes (the overview's rule), in one statement. */
export async function inactiveAmong(
  db: Knex,
  personIds: readonly string[],
  codeIds: readonly string[],
  at: Date,
  cutoff: Date,
): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { id: string }[] }>(
    `select pe.id
       from persons pe
      where pe.id = any(cast(:personIds as uuid[]))
        and (pe.last_login_at is null or pe.last_login_at < :cutoff)
        and exists (select 1 from permissions p
                     where p.person_id = pe.id and p.employer_code_id = any(cast(:codeIds as uuid[]))
                       and ${CURRENT('p')} and p.granted_at < :cutoff)`,
    { personIds: uuidArray(personIds), codeIds: uuidArray(codeIds), at, cutoff },
  );
  return rows.map((row) => row.id);
}
