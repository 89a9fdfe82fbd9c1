import { findOrCreatePerson as findOrCreateByNumber, type ContactFilled } from '../persons/service';
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
  /** expiresAt: the end moment of a time-limited permission (ISO), or null. */
  services: { id: string; key: string; name: string; expiresAt: string | null }[];
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

/** The later of the person's logins in the portal and in the old records (what inactivity counts). `alias`: persons. */
const LATEST_LOGIN = (alias: string) => `greatest(${alias}.last_login_at, ${alias}.legacy_last_login_at)`;

/** A permission that counts as old for inactivity: granted before the cutoff, or imported from the old records. */
const OLD_GRANT = (alias: string) => `(${alias}.granted_at < :cutoff or ${alias}.source = 'import')`;

/**
 * The users of the administered codes matching the filter, one row per person, in a CTE named `matched`. Set-based:
 * the current permissions of the codes (index-only on permissions_current_by_code_idx) grouped per person, then
 * joined to persons.
 * A user is inactive when they hold an old permission (granted before the cutoff, or imported) and have not logged
 * in since the cutoff, in the portal or the old records (the inactivity job's rule, src/jobs/inactivity.ts).
 * `last_login_at` is the later of the two logins.
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
  const inactive = `(u.old_grant and (${LATEST_LOGIN('pe')} is null or ${LATEST_LOGIN('pe')} < :cutoff))`;
  // An employer's users are a small share of the register: one primary-key probe each. The LIMIT keeps the planner
  // from hashing all of persons when it overestimates the users (it did: 70 ms at 1,000,000 persons); a number
  // search finds its person through the unique index first.
  const persons =
    filter.search.kind === 'pin'
      ? 'join persons pe on pe.id = u.person_id'
      : 'cross join lateral (select * from persons x where x.id = u.person_id limit 1) pe';
  const sql = `
    with users as (
      select p.person_id, bool_or(${OLD_GRANT('p')}) as old_grant
        from permissions p
       where p.employer_code_id = any(cast(:codeIds as uuid[])) and ${CURRENT('p')}
       group by p.person_id
      having bool_or((cast(:codeId as uuid) is null or p.employer_code_id = cast(:codeId as uuid))
                 and (cast(:serviceKey as text) is null
                      or p.service_id = (select s.id from services s where s.key = cast(:serviceKey as text))))
    ),
    matched as (
      select pe.id, pe.display_name, pe.personal_identity_number, pe.email, pe.preferred_language,
             ${LATEST_LOGIN('pe')} as last_login_at, ${inactive} as inactive
        from users u
        ${persons}
       where ${search} ${filter.inactiveOnly ? `and ${inactive}` : ''}
    )`;
  return { sql, bindings };
}

/** Per person of the page, the services granted on each administered code (index lookups on the page's persons). */
const GRANTS_OF_PAGE = `
  left join lateral (
    select json_agg(json_build_object('codeId', x.code_id, 'code', x.code, 'services', x.services) order by x.code) as codes
      from (select c.id as code_id, c.code,
                   json_agg(json_build_object('id', s.id, 'key', s.key, 'name', s.name, 'expiresAt', p.expires_at)
                            order by s.sort_order, s.key) as services
              from permissions p
              join employer_codes c on c.id = p.employer_code_id
              join services s on s.id = p.service_id
             where p.person_id = page.id and p.employer_code_id = any(cast(:codeIds as uuid[])) and ${CURRENT('p')}
             group by c.id, c.code) x
  ) g on true`;

const ORDER = 'lower(display_name), id';

/**
 * The totals that pages of the overview counted as they were read, by filter: the service asks for a page and the
 * count of the same filter object at once, and the page's statement counts its matches anyway (a window over the
 * matched users), so the count waits for it instead of matching every user a second time (halves the work for a
 * 10,000-user employer). A count asked for without a page, or past the last page, runs its own statement.
 */
const countedByPage = new WeakMap<OverviewFilter, Promise<number | undefined>>();

export function overviewPage(db: Knex, filter: OverviewFilter, limit: number, offset: number): Promise<OverviewRow[]> {
  const { sql, bindings } = matched(filter);
  const page = db
    .raw<{ rows: (OverviewRow & { total: number })[] }>(
      `${sql}
       select page.*, g.codes
         from (select *, (count(*) over ())::int as total from matched order by ${ORDER} limit :limit offset :offset) page
       ${GRANTS_OF_PAGE}
        order by lower(page.display_name), page.id`,
      { ...bindings, limit, offset },
    )
    .then(({ rows }) => rows);
  countedByPage.set(
    filter,
    page.then(
      (rows) => rows[0]?.total,
      () => undefined,
    ),
  );
  return page;
}

export async function overviewCount(db: Knex, filter: OverviewFilter): Promise<number> {
  const counted = await countedByPage.get(filter);
  if (counted !== undefined) return counted;
  const { sql, bindings } = matched(filter);
  // Without a search or the inactive filter every user matches: the count needs no person.
  const from = filter.search.kind === 'none' && !filter.inactiveOnly ? 'users' : 'matched';
  const { rows } = await db.raw<{ rows: { count: number }[] }>(
    `${sql} select count(*)::int as count from ${from}`,
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
  /** The time-limited ones of `services` with the last day each holds, e.g. `Rapporter: 2027-05-31`; else null. */
  valid_through: string | null;
}

/**
 * The export's statement: one row per user and code, services by name and the last day of those with an end date
 * (the moment it ends less a millisecond, in Swedish time, as `lastDayOf`); for a server-side cursor.
 */
export function exportQuery(db: Knex, filter: OverviewFilter): Knex.Raw {
  const { sql, bindings } = matched(filter);
  return db.raw(
    `${sql}
     select m.display_name, m.personal_identity_number, m.email, m.last_login_at, m.inactive, c.code,
            string_agg(s.name, ', ' order by s.sort_order, s.key) as services,
            string_agg(s.name || ': ' || to_char((p.expires_at - interval '1 millisecond') at time zone 'Europe/Stockholm',
                                                 'YYYY-MM-DD'), ', ' order by s.sort_order, s.key)
              filter (where p.expires_at is not null) as valid_through
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

/** A person as this feature shows them; `last_login_at` is the later login, in the portal or the old records. */
const personColumns = (db: Knex) => [
  'pe.id',
  'pe.display_name',
  'pe.personal_identity_number',
  'pe.email',
  'pe.preferred_language',
  db.raw(`${LATEST_LOGIN('pe')} as last_login_at`),
];

export function findPerson(db: Knex, personId: string): Promise<PersonRow | undefined> {
  return db('persons as pe').where('pe.id', personId).first<PersonRow | undefined>(personColumns(db));
}

export function findPersonByPin(db: Knex, pin: string): Promise<PersonRow | undefined> {
  return db('persons as pe').where('pe.personal_identity_number', pin).first<PersonRow | undefined>(personColumns(db));
}

/** The person with this number, created when unknown (the persons feature's rule), as this feature reads them. */
export async function findOrInsertPerson(
  trx: Knex.Transaction,
  person: { pin: string; name: string; email: string },
  at: Date,
): Promise<{ row: PersonRow; created: boolean; filled: ContactFilled }> {
  const { created, filled } = await findOrCreateByNumber(
    trx,
    { personalIdentityNumber: person.pin, name: person.name, email: person.email },
    at,
  );
  const row = await findPersonByPin(trx, person.pin);
  if (!row) throw new Error('person vanished');
  return { row, created, filled };
}

/** The person's current grants on the given codes. */
export function currentGrants(
  db: Knex,
  personId: string,
  codeIds: readonly string[],
  at: Date,
): Promise<
  {
    id: string;
    employer_code_id: string;
    service_id: string;
    granted_at: Date;
    source: string;
    expires_at: Date | null;
  }[]
> {
  return db('permissions as p')
    .where('p.person_id', personId)
    .whereIn('p.employer_code_id', codeIds)
    .whereRaw(CURRENT('p'), { at })
    .select('p.id', 'p.employer_code_id', 'p.service_id', 'p.granted_at', 'p.source', 'p.expires_at');
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
  expiresAt: Date | null = null,
): Promise<string | undefined> {
  await trx('permissions')
    .where({ person_id: key.personId, employer_code_id: key.codeId, service_id: key.serviceId })
    .whereNull('revoked_at')
    .where('expires_at', '<=', at)
    .update({ revoked_at: at });
  const { rows } = await trx.raw<{ rows: { id: string }[] }>(
    `insert into permissions (person_id, employer_code_id, service_id, granted_by_person_id, granted_at, source, expires_at)
     values (:personId, :codeId, :serviceId, :grantedBy, :at, 'portal', :expiresAt)
     on conflict (person_id, employer_code_id, service_id) where revoked_at is null do nothing
     returning id`,
    { ...key, grantedBy, at, expiresAt },
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
        and (${LATEST_LOGIN('pe')} is null or ${LATEST_LOGIN('pe')} < :cutoff)
        and exists (select 1 from permissions p
                     where p.person_id = pe.id and p.employer_code_id = any(cast(:codeIds as uuid[]))
                       and ${CURRENT('p')} and ${OLD_GRANT('p')})`,
    { personIds: uuidArray(personIds), codeIds: uuidArray(codeIds), at, cutoff },
  );
  return rows.map((row) => row.id);
}

/**
 * Sets or clears the end date of the person's current permission (one code, one service); a new end date is reminded
 * of again. Gives the row's id and its end date before, or undefined when there is no current permission.
 */
export async function setExpiry(
  trx: Knex.Transaction,
  key: GrantKey,
  expiresAt: Date | null,
  at: Date,
): Promise<{ id: string; before: Date | null } | undefined> {
  const current = await trx('permissions as p')
    .where({ 'p.person_id': key.personId, 'p.employer_code_id': key.codeId, 'p.service_id': key.serviceId })
    .whereRaw(CURRENT('p'), { at })
    .forUpdate()
    .first<{ id: string; expires_at: Date | null } | undefined>('p.id', 'p.expires_at');
  if (!current) return undefined;
  await trx('permissions').where({ id: current.id }).update({ expires_at: expiresAt, expiry_reminded_at: null });
  return { id: current.id, before: current.expires_at };
}
