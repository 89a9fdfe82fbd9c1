import type { Knex } from 'knex';
import { findEmployer, searchEmployers } from '../employers/service';

/**
 * The person a row is about: the subject when it is a person, else the `personId` of its data (permissions and role
 * assignments name the person there). migrations/20261128_000043_audit_indexes.ts indexes the same expression.
 */
const SUBJECT_PERSON = `coalesce(case when a.subject_type = 'person' then a.subject_id end, a.after ->> 'personId', a.before ->> 'personId')`;
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** As a uuid (or null), so that joining persons on it uses their primary key. */
const SUBJECT_PERSON_UUID = `case when ${SUBJECT_PERSON} ~ '${UUID_PATTERN}' then (${SUBJECT_PERSON})::uuid end`;

/** Whose rows a reader may see, decided from their roles (never from the request's parameters). */
export type AuditScope =
  | { kind: 'all' }
  | { kind: 'employer'; employerId: string }
  | { kind: 'codes'; employerId: string; codeIds: readonly string[] }
  | { kind: 'subject'; personId: string };

/** The reader's filters, already checked against the scope. Dates are YYYY-MM-DD, days in Swedish time. */
export interface AuditFilter {
  employerId?: string | undefined;
  personId?: string | undefined;
  codeId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Rows older, or newer, than the row with this id (keyset paging on occurred_at, id). */
export type AuditCursor = { older: number } | { newer: number } | undefined;

export interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_type: 'person' | 'system' | 'api_client' | 'import';
  actor_role: string | null;
  action: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  employer_name: string | null;
  code: string | null;
  actor_name: string | null;
  api_client_name: string | null;
  subject_name: string | null;
  subject_pin: string | null;
}

export interface Choice {
  id: string;
  label: string;
}

function scoped(query: Knex.QueryBuilder, scope: AuditScope, filter: AuditFilter): Knex.QueryBuilder {
  if (scope.kind === 'employer') void query.where('a.employer_id', scope.employerId);
  if (scope.kind === 'codes') {
    void query.where('a.employer_id', scope.employerId);
    if (scope.codeIds.length === 0) void query.whereRaw('false');
    else void query.whereIn('a.employer_code_id', [...scope.codeIds]);
  }
  if (scope.kind === 'subject') void query.whereRaw(`${SUBJECT_PERSON} = ?`, [scope.personId]);
  if (filter.employerId) void query.where('a.employer_id', filter.employerId);
  if (filter.codeId) void query.where('a.employer_code_id', filter.codeId);
  if (filter.personId) {
    const personId = filter.personId;
    void query.where((inner) => {
      void inner.where('a.actor_person_id', personId).orWhereRaw(`${SUBJECT_PERSON} = ?`, [personId]);
    });
  }
  if (filter.from)
    void query.whereRaw(`a.occurred_at >= (cast(? as date))::timestamp at time zone 'Europe/Stockholm'`, [filter.from]);
  if (filter.to) {
    void query.whereRaw(`a.occurred_at < (cast(? as date) + 1)::timestamp at time zone 'Europe/Stockholm'`, [
      filter.to,
    ]);
  }
  return query;
}

function rowsQuery(db: Knex, scope: AuditScope, filter: AuditFilter): Knex.QueryBuilder {
  return scoped(
    db('audit_log as a')
      .leftJoin('employers as e', 'e.id', 'a.employer_id')
      .leftJoin('employer_codes as c', 'c.id', 'a.employer_code_id')
      .leftJoin('persons as ap', 'ap.id', 'a.actor_person_id')
      .leftJoin('api_clients as ac', 'ac.id', 'a.actor_api_client_id')
      .leftJoin('persons as sp', 'sp.id', db.raw(SUBJECT_PERSON_UUID))
      .select(
        'a.id',
        'a.occurred_at',
        'a.actor_type',
        'a.actor_role',
        'a.action',
        'a.before',
        'a.after',
        'a.request_id',
        'e.name as employer_name',
        'c.code',
        'ap.display_name as actor_name',
        'ac.name as api_client_name',
        'sp.display_name as subject_name',
        'sp.personal_identity_number as subject_pin',
      ),
    scope,
    filter,
  );
}

/** One page, newest first: `limit` rows and whether there are older and newer ones beyond it. */
export async function auditPage(
  db: Knex,
  scope: AuditScope,
  filter: AuditFilter,
  cursor: AuditCursor,
  limit: number,
): Promise<{ rows: AuditRow[]; hasOlder: boolean; hasNewer: boolean }> {
  const query = rowsQuery(db, scope, filter).limit(limit + 1);
  const at = '(select occurred_at, id from audit_log where id = ?)';
  if (cursor && 'newer' in cursor) {
    const found = (await query.whereRaw(`(a.occurred_at, a.id) > ${at}`, [cursor.newer]).orderBy([
      { column: 'a.occurred_at', order: 'asc' },
      { column: 'a.id', order: 'asc' },
    ])) as AuditRow[];
    const rows = found.slice(0, limit).reverse();
    return { rows, hasOlder: true, hasNewer: found.length > limit };
  }
  if (cursor) void query.whereRaw(`(a.occurred_at, a.id) < ${at}`, [cursor.older]);
  const found = (await query.orderBy([
    { column: 'a.occurred_at', order: 'desc' },
    { column: 'a.id', order: 'desc' },
  ])) as AuditRow[];
  return { rows: found.slice(0, limit), hasOlder: found.length > limit, hasNewer: cursor !== undefined };
}

/** Every row of the filter, newest first, as one statement for a server-side cursor (the CSV export). */
export function exportStatement(db: Knex, scope: AuditScope, filter: AuditFilter): Knex.Sql {
  return rowsQuery(db, scope, filter)
    .orderBy([
      { column: 'a.occurred_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    .toSQL();
}

/**
 * The persons who acted, or were acted on, in the scope's most recent `scan` rows (the person filter's choices), at
 * most `max` of them; `more` when there are more (too many for a list). Bounded work, however long the history.
 */
export async function personChoices(
  db: Knex,
  scope: AuditScope,
  filter: AuditFilter,
  limits: { scan: number; max: number },
): Promise<{ persons: Choice[]; more: boolean }> {
  const recent = scoped(db('audit_log as a'), scope, { employerId: filter.employerId })
    .orderBy([
      { column: 'a.occurred_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    .limit(limits.scan)
    .select('a.actor_person_id as actor', db.raw(`${SUBJECT_PERSON_UUID} as subject`));
  // distinct ids first (at most max + 1), then their names through the primary key
  const distinct = db.raw(
    `select actor as id from recent where actor is not null
     union
     select subject from recent where subject is not null
     limit ?`,
    [limits.max + 1],
  );
  const persons = await db
    .with('recent', recent)
    .with('ids', distinct)
    .from('ids')
    .join('persons as p', 'p.id', 'ids.id')
    .orderBy([{ column: 'p.display_name' }, { column: 'p.id' }])
    .select<Choice[]>('p.id', 'p.display_name as label');
  return { persons: persons.slice(0, limits.max), more: persons.length > limits.max };
}

/** The person, when they appear in the scope's rows (the filter names them by id from a link). */
export async function personInScope(db: Knex, scope: AuditScope, personId: string): Promise<Choice | undefined> {
  const appears = await scoped(db('audit_log as a'), scope, { personId }).first<{ id: number } | undefined>('a.id');
  if (appears === undefined) return undefined;
  return db('persons').where({ id: personId }).first<Choice | undefined>('id', 'display_name as label');
}

/** Codes of the employer, by code; only those among `codeIds` when given. */
export function codeChoices(db: Knex, employerId: string, codeIds?: readonly string[]): Promise<Choice[]> {
  const query = db('employer_codes').where({ employer_id: employerId });
  if (codeIds) void query.whereIn('id', [...codeIds]);
  return query.orderBy('code').select<Choice[]>('id', db.raw(`code || ' ' || name as label`));
}

const employerChoice = (employer: { id: string; name: string; organisation_number: string }): Choice => ({
  id: employer.id,
  label: `${employer.name} (${employer.organisation_number})`,
});

/** Employers matching what staff typed (organisation number, part of the name, a code): at most `limit`. */
export async function employerMatches(db: Knex, text: string, limit: number): Promise<Choice[]> {
  const { rows } = await searchEmployers(db, text, { limit, offset: 0 });
  return rows.map(employerChoice);
}

export async function employerChosen(db: Knex, employerId: string): Promise<Choice | undefined> {
  const employer = await findEmployer(db, employerId);
  return employer && employerChoice(employer);
}

export async function codeExists(db: Knex, codeId: string, employerId?: string): Promise<boolean> {
  const query = db('employer_codes').where({ id: codeId });
  if (employerId) void query.where({ employer_id: employerId });
  return (await query.first('id')) !== undefined;
}
