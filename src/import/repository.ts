import type { Knex } from 'knex';
import type { Refusal } from './rows';

/** A query runner: the knex instance bound to the import's own connection, or a transaction on it. */
type Db = Knex | Knex.Transaction;

async function rows<T>(db: Db, sql: string, bindings: Record<string, unknown> = {}): Promise<T[]> {
  const result = await db.raw<{ rows: T[] }>(sql, bindings as Knex.ValueDict);
  return result.rows;
}

const ORGANISATION = (column: string) => `substr(${column}, 1, 6) || '-' || substr(${column}, 7)`;

/**
 * What needs more than one row: the same grant twice, an employer code given with two organisation numbers (or two
 * active flags), an organisation number with two employer names (the first line wins; later ones are refused), and
 * an employer code that already belongs to another employer in the portal.
 */
const CROSS_ROW_REFUSALS = `
  with ranked as (
    select line, organisation_number, employer_name, employer_code, employer_code_active,
           min(line) over (partition by personal_identity_number, employer_code, service_key) as first_grant_line,
           first_value(line) over by_code as code_line,
           first_value(organisation_number) over by_code as code_organisation,
           first_value(employer_code_active) over by_code as code_active,
           first_value(line) over by_organisation as organisation_line,
           first_value(employer_name) over by_organisation as organisation_name
      from import_rows
    window by_code as (partition by employer_code order by line),
           by_organisation as (partition by organisation_number order by line)
  )
  select line, reason from (
    select line, format('duplicate of line %s (same person, employer code and service)', first_grant_line) as reason
      from ranked where first_grant_line < line
    union all
    select line, format('employer code %s belongs to organisation number %s on line %s', employer_code,
                        ${ORGANISATION('code_organisation')}, code_line)
      from ranked where organisation_number <> code_organisation
    union all
    select line, format('employer code %s is marked %s here but %s on line %s', employer_code,
                        case when employer_code_active then 'active' else 'inactive' end,
                        case when code_active then 'active' else 'inactive' end, code_line)
      from ranked where organisation_number = code_organisation and employer_code_active <> code_active
    union all
    select line, format('employer name "%s" differs from "%s" on line %s for organisation number %s', employer_name,
                        organisation_name, organisation_line, ${ORGANISATION('organisation_number')})
      from ranked where employer_name <> organisation_name
    union all
    select r.line, format('employer code %s already belongs to another employer in the portal (organisation number %s)',
                          r.employer_code, ${ORGANISATION('e.organisation_number')})
      from import_rows r
      join employer_codes c on c.code = r.employer_code
      join employers e on e.id = c.employer_id
     where e.organisation_number <> r.organisation_number
  ) refused
  order by line, reason`;

/** Sorting a million staged rows in memory rather than on disk: the import runs alone, from the command line. */
const IMPORT_WORK_MEM = `set local work_mem = '128MB'`;

export function crossRowRefusals(db: Knex): Promise<Refusal[]> {
  return db.transaction(async (trx) => {
    await trx.raw(IMPORT_WORK_MEM);
    return rows<Refusal>(trx, CROSS_ROW_REFUSALS);
  });
}

export interface Plan {
  employers: { inFile: number; new: number };
  codes: { inFile: number; new: number };
  persons: { inFile: number; new: number };
  permissions: { inFile: number; new: number };
}

/** What applying the staged rows would create, and what is there already (any permission row counts, revoked too). */
export async function plan(db: Db): Promise<Plan> {
  const [counts] = await rows<Record<string, number>>(
    db,
    `select
       (select count(distinct organisation_number) from import_rows) as employers,
       (select count(*) from (select distinct organisation_number from import_rows) o
         where not exists (select 1 from employers e where e.organisation_number = o.organisation_number)) as new_employers,
       (select count(distinct employer_code) from import_rows) as codes,
       (select count(*) from (select distinct employer_code from import_rows) c
         where not exists (select 1 from employer_codes k where k.code = c.employer_code)) as new_codes,
       (select count(distinct personal_identity_number) from import_rows) as persons,
       (select count(*) from (select distinct personal_identity_number from import_rows) p
         where not exists (select 1 from persons x where x.personal_identity_number = p.personal_identity_number))
         as new_persons,
       (select count(*) from import_rows) as permissions,
       (select count(*) from import_rows r
          left join persons p on p.personal_identity_number = r.personal_identity_number
          left join employer_codes c on c.code = r.employer_code
          join services s on s.key = r.service_key
         where not exists (select 1 from permissions x
                            where x.person_id = p.id and x.employer_code_id = c.id and x.service_id = s.id))
         as new_permissions`,
  );
  const count = (key: string) => counts?.[key] ?? 0;
  return {
    employers: { inFile: count('employers'), new: count('new_employers') },
    codes: { inFile: count('codes'), new: count('new_codes') },
    persons: { inFile: count('persons'), new: count('new_persons') },
    permissions: { inFile: count('permissions'), new: count('new_permissions') },
  };
}

export interface Source {
  fileName: string;
  checksum: string;
  runId: string;
}

const SOURCE = `'file', :fileName::text, 'checksum', :checksum::text, 'run', :runId::text`;

/**
 * New employers (by organisation number, named as on their first line) and new employer codes (by code, with the
 * file's active flag, named after their employer since the export has no code names), each with its audit row.
 * Existing ones are left exactly as they are.
 */
export async function insertEmployersAndCodes(
  trx: Knex.Transaction,
  source: Source,
  at: Date,
): Promise<{ employers: number; codes: number }> {
  const bindings = { ...source, at };
  const [employers] = await rows<{ count: number }>(
    trx,
    `with wanted as (
       select distinct on (organisation_number) organisation_number, employer_name
         from import_rows order by organisation_number, line
     ),
     inserted as (
       insert into employers (organisation_number, name, created_at, updated_at)
       select organisation_number, employer_name, :at, :at from wanted
       on conflict (organisation_number) do nothing
       returning id, organisation_number, name
     ),
     audited as (
       insert into audit_log (occurred_at, actor_type, employer_id, action, subject_type, subject_id, after)
       select :at, 'import', id, 'employer.imported', 'employer', id::text,
              jsonb_build_object(${SOURCE}, 'organisationNumber', organisation_number, 'name', name)
         from inserted
     )
     select count(*) as count from inserted`,
    bindings,
  );
  const [codes] = await rows<{ count: number }>(
    trx,
    `with wanted as (
       select distinct on (employer_code) employer_code, organisation_number, employer_code_active, employer_name
         from import_rows order by employer_code, line
     ),
     inserted as (
       insert into employer_codes (employer_id, code, name, active, created_at, updated_at)
       select e.id, w.employer_code, e.name, w.employer_code_active, :at, :at
         from wanted w join employers e on e.organisation_number = w.organisation_number
       on conflict (code) do nothing
       returning id, employer_id, code, name, active
     ),
     audited as (
       insert into audit_log (occurred_at, actor_type, employer_id, employer_code_id, action, subject_type, subject_id,
                              after)
       select :at, 'import', employer_id, id, 'employer_code.imported', 'employer_code', id::text,
              jsonb_build_object(${SOURCE}, 'code', code, 'name', name, 'active', active)
         from inserted
     )
     select count(*) as count from inserted`,
    bindings,
  );
  return { employers: employers?.count ?? 0, codes: codes?.count ?? 0 };
}

/** The personal identity numbers that start batches of about `size` staged rows (a person never spans two). */
export async function batchStarts(db: Db, size: number): Promise<string[]> {
  const starts = await rows<{ start: string }>(
    db,
    `select min(personal_identity_number) as start from (
       select personal_identity_number,
              floor((sum(n) over (order by personal_identity_number) - n) / :size) as batch
         from (select personal_identity_number, count(*) as n from import_rows group by personal_identity_number) p
     ) b
     group by batch order by 1`,
    { size },
  );
  return starts.map((row) => row.start);
}

export interface BatchCounts {
  personsCreated: number;
  personsUpdated: number;
  permissionsCreated: number;
  usersAudited: number;
}

/** The staged rows of one batch; `alias.` qualifies the column where other tables have one of the same name. */
const BATCH = (alias = '') =>
  `${alias}personal_identity_number >= :from and (:to::text is null or ${alias}personal_identity_number < :to::text)`;

/**
 * One batch, in the caller's transaction: persons upserted (new ones with the file's name and first email; known ones
 * keep theirs, gain an email if they had none, and keep the latest old-records login), then the permissions no row
 * of which exists yet, revoked or not, each person × code that gained some audited as `user.imported`.
 */
export async function applyBatch(
  trx: Knex.Transaction,
  range: { from: string; to: string | null },
  source: Source,
  at: Date,
): Promise<BatchCounts> {
  const bindings = { ...source, ...range, at };
  await trx.raw(IMPORT_WORK_MEM);
  const [persons] = await rows<{ created: number; updated: number }>(
    trx,
    `with wanted as (
       select personal_identity_number,
              (array_agg(name order by line))[1] as name,
              (array_agg(email order by line) filter (where email is not null))[1] as email,
              max(last_login_at) as last_login_at
         from import_rows where ${BATCH()}
        group by personal_identity_number
     ),
     upserted as (
       insert into persons (personal_identity_number, display_name, email, legacy_last_login_at, created_at, updated_at)
       select personal_identity_number, name, email, last_login_at, :at, :at from wanted
       on conflict (personal_identity_number) do update
          set email = coalesce(persons.email, excluded.email),
              legacy_last_login_at = greatest(persons.legacy_last_login_at, excluded.legacy_last_login_at),
              updated_at = excluded.updated_at
        where (persons.email is null and excluded.email is not null)
           or excluded.legacy_last_login_at > coalesce(persons.legacy_last_login_at, '-infinity')
       returning xmax = 0 as created
     )
     select count(*) filter (where created) as created, count(*) filter (where not created) as updated
       from upserted`,
    bindings,
  );
  const [permissions] = await rows<{ created: number; audited: number }>(
    trx,
    `with inserted as (
       insert into permissions (person_id, employer_code_id, service_id, granted_at, source)
       select p.id, c.id, s.id, :at, 'import'
         from import_rows r
         join persons p on p.personal_identity_number = r.personal_identity_number
         join employer_codes c on c.code = r.employer_code
         join services s on s.key = r.service_key
        where ${BATCH('r.')}
          and not exists (select 1 from permissions x
                           where x.person_id = p.id and x.employer_code_id = c.id and x.service_id = s.id)
       on conflict do nothing
       returning person_id, employer_code_id, service_id
     ),
     audited as (
       insert into audit_log (occurred_at, actor_type, employer_id, employer_code_id, action, subject_type, subject_id,
                              after)
       select :at, 'import', c.employer_id, i.employer_code_id, 'user.imported', 'person', i.person_id::text,
              jsonb_build_object(${SOURCE}, 'code', c.code,
                                 'services', jsonb_agg(s.key order by s.sort_order, s.key))
         from inserted i
         join employer_codes c on c.id = i.employer_code_id
         join services s on s.id = i.service_id
        group by i.person_id, i.employer_code_id, c.employer_id, c.code
       returning 1
     )
     select (select count(*) from inserted) as created, (select count(*) from audited) as audited`,
    bindings,
  );
  return {
    personsCreated: persons?.created ?? 0,
    personsUpdated: persons?.updated ?? 0,
    permissionsCreated: permissions?.created ?? 0,
    usersAudited: permissions?.audited ?? 0,
  };
}

export interface ImportRunRow {
  id: string;
  mode: 'dry-run' | 'apply';
  started_at: Date;
  finished_at: Date | null;
  outcome: 'checked' | 'refused' | 'imported' | null;
}

export async function startRun(
  db: Db,
  run: { fileName: string; checksum: string; mode: 'dry-run' | 'apply' },
  at: Date,
): Promise<string> {
  const [row] = await db('import_runs')
    .insert({ file_name: run.fileName, checksum: run.checksum, mode: run.mode, started_at: at })
    .returning<{ id: string }[]>('id');
  if (!row) throw new Error('import run not recorded');
  return row.id;
}

export async function finishRun(
  db: Db,
  id: string,
  outcome: 'checked' | 'refused' | 'imported',
  counts: unknown,
  at: Date,
): Promise<void> {
  await db('import_runs')
    .where({ id })
    .update({ outcome, counts: JSON.stringify(counts), finished_at: at });
}

/** Earlier applies of a file with this checksum, newest first. */
export function earlierApplies(db: Db, checksum: string, exceptId: string): Promise<ImportRunRow[]> {
  return db('import_runs')
    .where({ checksum, mode: 'apply' })
    .whereNot({ id: exceptId })
    .whereRaw(`outcome is distinct from 'refused'`)
    .orderBy('started_at', 'desc')
    .select<ImportRunRow[]>('id', 'mode', 'started_at', 'finished_at', 'outcome');
}

export async function serviceKeys(db: Db): Promise<Set<string>> {
  const found = await db('services').select<{ key: string }[]>('key');
  return new Set(found.map((row) => row.key));
}

export async function emptyStaging(db: Db): Promise<void> {
  await db.raw('truncate import_rows');
}

export async function analyzeStaging(db: Db): Promise<void> {
  await db.raw('analyze import_rows');
}
