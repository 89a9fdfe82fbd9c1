import type { Knex } from 'knex';
import type { Audience, EmployerFilter, ImportedFilter } from './schemas';

type Db = Knex | Knex.Transaction;

/** An orderer is active while not revoked and not past valid_until (`:now`). */
const ACTIVE_ORDERER = `
  select 1 from role_assignments r
   where r.employer_id = e.id and r.role = 'orderer' and r.revoked_at is null
     and (r.valid_until is null or r.valid_until > :now)`;

/** A code has a current administrator (served by role_assignments_employer_code_id_idx). */
const CURRENT_ADMINISTRATOR = `
  select 1 from role_assignments r
   where r.employer_code_id = c.id and r.role = 'administrator' and r.revoked_at is null
     and (r.valid_until is null or r.valid_until > :now)`;

const LETTER_SENT = `select 1 from launch_letters l where l.employer_id = e.id`;

/**
 * Imported users: each person and code with a current or past permission from the old records, and when the first
 * was granted (served by permissions_imported_idx).
 */
const IMPORTED = `
  select p.person_id, p.employer_code_id, min(p.granted_at) as imported_at
    from permissions p
   where p.source = 'import'
   group by p.person_id, p.employer_code_id`;

/**
 * Reviewed: an orderer, delegate or administrator changed something about the person on that code after the import
 * (served by audit_log_subject_idx: subject, then time).
 */
const REVIEW = `
  from audit_log a
 where a.subject_type = 'person' and a.subject_id = i.person_id::text and a.occurred_at >= i.imported_at
   and a.employer_code_id = i.employer_code_id and a.actor_type = 'person'
   and a.actor_role in ('orderer', 'delegate', 'administrator')`;

const EMPLOYER_WHERE: Record<EmployerFilter, string> = {
  all: 'true',
  'with-orderer': `exists (${ACTIVE_ORDERER})`,
  'without-orderer': `not exists (${ACTIVE_ORDERER})`,
  'letter-sent': `exists (${LETTER_SENT})`,
  'letter-not-sent': `not exists (${LETTER_SENT})`,
  'no-registry-email': 'e.registry_email is null',
};

const IMPORTED_WHERE: Record<ImportedFilter, string> = {
  all: 'true',
  reviewed: `exists (select 1 ${REVIEW})`,
  'not-reviewed': `not exists (select 1 ${REVIEW})`,
};

export interface Figures {
  employers: number;
  withOrderer: number;
  letterSent: number;
  withoutRegistryEmail: number;
  activeCodes: number;
  codesWithoutAdministrator: number;
  importedUsers: number;
  reviewedUsers: number;
}

/** Every figure of the dashboard in one round trip; each is one set-based count. */
export async function figures(db: Db, now: Date): Promise<Figures> {
  const { rows } = await db.raw<{ rows: Record<keyof Figures, string>[] }>(
    `select
       (select count(*) from employers) as "employers",
       (select count(*) from employers e where exists (${ACTIVE_ORDERER})) as "withOrderer",
       (select count(distinct employer_id) from launch_letters) as "letterSent",
       (select count(*) from employers where registry_email is null) as "withoutRegistryEmail",
       (select count(*) from employer_codes where active) as "activeCodes",
       (select count(*) from employer_codes c where c.active and not exists (${CURRENT_ADMINISTRATOR}))
         as "codesWithoutAdministrator",
       imported.total as "importedUsers",
       imported.reviewed as "reviewedUsers"
     from (select count(*) as total, count(*) filter (where exists (select 1 ${REVIEW})) as reviewed
             from (${IMPORTED}) i) as imported`,
    { now },
  );
  const [row] = rows;
  if (!row) throw new Error('figures returned no row');
  const n = (key: keyof Figures) => Number(row[key]);
  return {
    employers: n('employers'),
    withOrderer: n('withOrderer'),
    letterSent: n('letterSent'),
    withoutRegistryEmail: n('withoutRegistryEmail'),
    activeCodes: n('activeCodes'),
    codesWithoutAdministrator: n('codesWithoutAdministrator'),
    importedUsers: n('importedUsers'),
    reviewedUsers: n('reviewedUsers'),
  };
}

export interface Paging {
  limit: number;
  offset: number;
}

async function countOf(db: Db, from: string, bindings: Record<string, unknown>): Promise<number> {
  const { rows } = await db.raw<{ rows: { total: string }[] }>(`select count(*) as total from ${from}`, bindings);
  return Number(rows[0]?.total ?? 0);
}

/** An employer's launch progress, as the lists and the CSV show it. */
export interface EmployerProgressRow {
  id: string;
  name: string;
  organisation_number: string;
  registry_email: string | null;
  orderer_name: string | null;
  orderer_email: string | null;
  letters: number;
  last_letter_at: Date | null;
}

/** The employers of the filter, by name, with their active orderer and the letters sent. No paging: all of them. */
export function employersStatement(
  db: Db,
  filter: EmployerFilter,
  now: Date,
  paging?: Paging,
): Knex.Raw<{ rows: EmployerProgressRow[] }> {
  const page = paging ? 'limit :limit offset :offset' : '';
  return db.raw<{ rows: EmployerProgressRow[] }>(
    `with chosen as (
       select e.id, e.name, e.organisation_number, e.registry_email from employers e
        where ${EMPLOYER_WHERE[filter]}
        order by lower(e.name), e.id ${page})
     select e.id, e.name, e.organisation_number, e.registry_email,
            o.display_name as orderer_name, o.email as orderer_email,
            coalesce(l.letters, 0)::int as letters, l.last_letter_at
       from chosen e
       left join lateral (
         select p.display_name, p.email from role_assignments r join persons p on p.id = r.person_id
          where r.employer_id = e.id and r.role = 'orderer' and r.revoked_at is null
            and (r.valid_until is null or r.valid_until > :now)
          limit 1) o on true
       left join lateral (
         select count(*) as letters, max(sent_at) as last_letter_at from launch_letters where employer_id = e.id
       ) l on true
      order by lower(e.name), e.id`,
    { now, ...paging },
  );
}

export async function employers(
  db: Db,
  filter: EmployerFilter,
  now: Date,
  paging: Paging,
): Promise<{ rows: EmployerProgressRow[]; total: number }> {
  const [{ rows }, total] = await Promise.all([
    employersStatement(db, filter, now, paging),
    countOf(db, `employers e where ${EMPLOYER_WHERE[filter]}`, { now }),
  ]);
  return { rows, total };
}

/** An active code without a current administrator, with whom to ask: its employer's active orderer. */
export interface CodeGapRow {
  code: string;
  code_name: string;
  employer_id: string;
  employer_name: string;
  organisation_number: string;
  orderer_name: string | null;
  orderer_email: string | null;
}

export function codesStatement(db: Db, now: Date, paging?: Paging): Knex.Raw<{ rows: CodeGapRow[] }> {
  const page = paging ? 'limit :limit offset :offset' : '';
  return db.raw<{ rows: CodeGapRow[] }>(
    `with chosen as (
       select c.code, c.name as code_name, c.employer_id from employer_codes c
        where c.active and not exists (${CURRENT_ADMINISTRATOR})
        order by c.code ${page})
     select c.code, c.code_name, e.id as employer_id, e.name as employer_name, e.organisation_number,
            o.display_name as orderer_name, o.email as orderer_email
       from chosen c
       join employers e on e.id = c.employer_id
       left join lateral (
         select p.display_name, p.email from role_assignments r join persons p on p.id = r.person_id
          where r.employer_id = e.id and r.role = 'orderer' and r.revoked_at is null
            and (r.valid_until is null or r.valid_until > :now)
          limit 1) o on true
      order by c.code`,
    { now, ...paging },
  );
}

export async function codesWithoutAdministrator(
  db: Db,
  now: Date,
  paging: Paging,
): Promise<{ rows: CodeGapRow[]; total: number }> {
  const [{ rows }, total] = await Promise.all([
    codesStatement(db, now, paging),
    countOf(db, `employer_codes c where c.active and not exists (${CURRENT_ADMINISTRATOR})`, { now }),
  ]);
  return { rows, total };
}

/** An imported user on one code: name and email only (never the identity number), and the first review. */
export interface ImportedUserRow {
  person_id: string;
  display_name: string;
  email: string | null;
  code: string;
  employer_name: string;
  organisation_number: string;
  imported_at: Date;
  current: boolean;
  reviewed_at: Date | null;
}

export function importedStatement(
  db: Db,
  filter: ImportedFilter,
  now: Date,
  paging?: Paging,
): Knex.Raw<{ rows: ImportedUserRow[] }> {
  const page = paging ? 'limit :limit offset :offset' : '';
  return db.raw<{ rows: ImportedUserRow[] }>(
    `with chosen as (
       select i.person_id, i.employer_code_id, i.imported_at from (${IMPORTED}) i
        where ${IMPORTED_WHERE[filter]}
        order by i.employer_code_id, i.person_id ${page})
     select i.person_id, p.display_name, p.email, c.code, e.name as employer_name, e.organisation_number,
            i.imported_at,
            exists (select 1 from permissions g
                     where g.person_id = i.person_id and g.employer_code_id = i.employer_code_id
                       and g.revoked_at is null and (g.expires_at is null or g.expires_at > :now)) as current,
            (select min(a.occurred_at) ${REVIEW}) as reviewed_at
       from chosen i
       join persons p on p.id = i.person_id
       join employer_codes c on c.id = i.employer_code_id
       join employers e on e.id = c.employer_id
      order by i.employer_code_id, i.person_id`,
    { now, ...paging },
  );
}

export async function importedUsers(
  db: Db,
  filter: ImportedFilter,
  now: Date,
  paging: Paging,
): Promise<{ rows: ImportedUserRow[]; total: number }> {
  const [{ rows }, total] = await Promise.all([
    importedStatement(db, filter, now, paging),
    countOf(db, `(${IMPORTED}) i where ${IMPORTED_WHERE[filter]}`, { now }),
  ]);
  return { rows, total };
}

/** The letter's audiences side by side: who can be reached, who already got it, who has no address. */
export interface AudienceCounts {
  recipients: number;
  alreadySent: number;
  unreachable: number;
}

export async function audienceCounts(db: Db, now: Date): Promise<Record<Audience, AudienceCounts>> {
  const { rows } = await db.raw<{ rows: Record<string, string>[] }>(
    `select count(*) filter (where reachable) as all_recipients,
            count(*) filter (where reachable and sent) as all_sent,
            count(*) filter (where not reachable) as all_unreachable,
            count(*) filter (where reachable and not has_orderer) as without_recipients,
            count(*) filter (where reachable and not has_orderer and sent) as without_sent,
            count(*) filter (where not reachable and not has_orderer) as without_unreachable
       from (select e.registry_email is not null as reachable, exists (${ACTIVE_ORDERER}) as has_orderer,
                    exists (${LETTER_SENT}) as sent
               from employers e) e`,
    { now },
  );
  const row = rows[0] ?? {};
  const n = (key: string) => Number(row[key] ?? 0);
  return {
    all: { recipients: n('all_recipients'), alreadySent: n('all_sent'), unreachable: n('all_unreachable') },
    without_orderer: {
      recipients: n('without_recipients'),
      alreadySent: n('without_sent'),
      unreachable: n('without_unreachable'),
    },
  };
}

/** One employer the letter goes to, with what the letter shows (its codes). */
export interface RecipientRow {
  id: string;
  name: string;
  organisation_number: string;
  registry_email: string;
  already_sent: boolean;
  last_letter_at: Date | null;
  codes: { code: string; name: string; active: boolean }[];
}

/** Every employer of the audience that has a registry address, by name. */
export async function recipients(db: Db, audience: Audience, now: Date, limit?: number): Promise<RecipientRow[]> {
  const { rows } = await db.raw<{ rows: RecipientRow[] }>(
    `select e.id, e.name, e.organisation_number, e.registry_email,
            l.last_letter_at is not null as already_sent, l.last_letter_at,
            coalesce((select json_agg(json_build_object('code', c.code, 'name', c.name, 'active', c.active)
                                      order by c.code)
                        from employer_codes c where c.employer_id = e.id), '[]'::json) as codes
       from employers e
       left join lateral (select max(sent_at) as last_letter_at from launch_letters where employer_id = e.id) l on true
      where e.registry_email is not null ${audience === 'without_orderer' ? `and not exists (${ACTIVE_ORDERER})` : ''}
      order by lower(e.name), e.id
      ${limit === undefined ? '' : 'limit :limit'}`,
    limit === undefined ? { now } : { now, limit },
  );
  return rows;
}

export async function submissionExists(db: Db, submissionId: string): Promise<boolean> {
  const row = await db('launch_letters').where({ submission_id: submissionId }).first<{ id: string } | undefined>('id');
  return row !== undefined;
}

export interface NewLetter {
  employer_id: string;
  recipient_email: string;
  resent: boolean;
}

/** Records the letters of one sending, in chunks; gives each letter's id by employer. */
export async function insertLetters(
  trx: Knex.Transaction,
  sending: { submissionId: string; audience: Audience; sentBy: string; at: Date },
  letters: NewLetter[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let start = 0; start < letters.length; start += 1000) {
    const rows = letters.slice(start, start + 1000).map((letter) => ({
      ...letter,
      submission_id: sending.submissionId,
      audience: sending.audience,
      sent_by_person_id: sending.sentBy,
      sent_at: sending.at,
    }));
    const inserted = await trx('launch_letters')
      .insert(rows)
      .returning<{ id: string; employer_id: string }[]>(['id', 'employer_id']);
    for (const row of inserted) ids.set(row.employer_id, row.id);
  }
  return ids;
}

export interface SendingSummary {
  sent_at: Date;
  audience: Audience;
  letters: number;
  resent: number;
}

/** What one sending (one submission of the form) recorded; undefined when it sent nothing. */
export async function sending(db: Db, submissionId: string): Promise<SendingSummary | undefined> {
  const row = await db('launch_letters')
    .where({ submission_id: submissionId })
    .groupBy('audience')
    .first<{ sent_at: Date; audience: Audience; letters: string; resent: string } | undefined>(
      db.raw('min(sent_at) as sent_at'),
      'audience',
      db.raw('count(*) as letters'),
      db.raw('count(*) filter (where resent) as resent'),
    );
  if (!row) return undefined;
  return { sent_at: row.sent_at, audience: row.audience, letters: Number(row.letters), resent: Number(row.resent) };
}
