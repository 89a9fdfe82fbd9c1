import type { Knex } from 'knex';
import { ImportBusyError } from './connection';

export interface CleanupOptions {
  /** YYYY-MM-DD: the launch date the clean-up is made for. */
  before: string;
  /** No login for this many months before `before` means inactive (INACTIVITY_MONTHS, 18 by default). */
  months: number;
  /** false (the default): a dry run that only reports. */
  apply?: boolean;
}

export interface EmployerCleanup {
  organisationNumber: string;
  name: string;
  persons: number;
  /** Of `persons`, those who never logged in (neither in the old records nor in the portal). */
  neverLoggedIn: number;
  permissions: number;
}

export interface CleanupResult {
  applied: boolean;
  /** The start of the day (Swedish time) `months` before `before`: a last login before this is too old. */
  cutoff: Date;
  employers: EmployerCleanup[];
  total: { persons: number; neverLoggedIn: number; permissions: number };
}

/**
 * The current imported permissions of users whose latest login (in the old records or the portal) is before the
 * cutoff, or who never logged in. A permission given in the portal is never touched.
 */
const CUTOFF = `
  cutoff as (
    select (:before::date - make_interval(months => :months))::timestamp at time zone 'Europe/Stockholm' as at
  )`;

const TARGETS = `
  ${CUTOFF},
  targets as (
    select perm.id, perm.person_id, perm.employer_code_id, perm.service_id,
           greatest(p.last_login_at, p.legacy_last_login_at) as last_login_at
      from permissions perm
      join persons p on p.id = perm.person_id
     where perm.source = 'import' and perm.revoked_at is null
       and (perm.expires_at is null or perm.expires_at > :now)
       and (greatest(p.last_login_at, p.legacy_last_login_at) is null
            or greatest(p.last_login_at, p.legacy_last_login_at) < (select at from cutoff))
  )`;

/** Per employer, then the whole (a person at two employers counts once in the total). */
const REPORT = (from: string) => `
  select e.organisation_number, e.name,
         count(distinct t.person_id)::int as persons,
         (count(distinct t.person_id) filter (where t.last_login_at is null))::int as never_logged_in,
         count(*)::int as permissions,
         false as total
    from ${from} t
    join employer_codes c on c.id = t.employer_code_id
    join employers e on e.id = c.employer_id
   group by e.id
  union all
  select null, null, count(distinct t.person_id)::int,
         (count(distinct t.person_id) filter (where t.last_login_at is null))::int, count(*)::int, true
    from ${from} t
   order by total, name, organisation_number`;

const APPLY = `
  with ${TARGETS},
  revoked as (
    update permissions perm set revoked_at = :now, revoked_by_person_id = null
      from targets t
     where perm.id = t.id
    returning perm.id, perm.person_id, perm.employer_code_id, perm.service_id, t.last_login_at
  ),
  audited as (
    insert into audit_log (occurred_at, actor_type, employer_id, employer_code_id, action, subject_type, subject_id,
                           before, after)
    select :now, 'system', c.employer_id, r.employer_code_id, 'user.removed_inactive', 'person', r.person_id::text,
           jsonb_build_object('code', c.code, 'services', jsonb_agg(s.key order by s.sort_order, s.key)),
           jsonb_build_object('lastLoginAt', max(r.last_login_at), 'cutoff', (select at from cutoff),
                              'before', :before::text, 'months', :months::int)
      from revoked r
      join employer_codes c on c.id = r.employer_code_id
      join services s on s.id = r.service_id
     group by r.person_id, r.employer_code_id, c.employer_id, c.code
  )
  ${REPORT('revoked')}`;

interface ReportRow {
  organisation_number: string | null;
  name: string | null;
  persons: number;
  never_logged_in: number;
  permissions: number;
  total: boolean;
}

/**
 * The pre-launch clean-up (`npm run cli -- cleanup-inactive --before YYYY-MM-DD`): in one transaction, revokes
 * (or, in a dry run, counts) the imported permissions of users inactive for `months` before the date, one audit row
 * per person and employer code (`user.removed_inactive`, by the system); no email. Refused while an import runs.
 */
export async function cleanupInactive(db: Knex, options: CleanupOptions, now: Date): Promise<CleanupResult> {
  return db.transaction(async (trx) => {
    const { rows: locks } = await trx.raw<{ rows: { locked: boolean }[] }>(
      `select pg_try_advisory_xact_lock(hashtext('portal:import')) as locked`,
    );
    if (!locks[0]?.locked) throw new ImportBusyError();
    const bindings = { before: options.before, months: options.months, now };
    const sql = options.apply ? APPLY : `with ${TARGETS} ${REPORT('targets')}`;
    const { rows } = await trx.raw<{ rows: ReportRow[] }>(sql, bindings);
    const { rows: cutoffs } = await trx.raw<{ rows: { at: Date }[] }>(`with ${CUTOFF} select at from cutoff`, bindings);
    const total = rows.find((row) => row.total);
    return {
      applied: options.apply === true,
      cutoff: cutoffs[0]?.at ?? now,
      employers: rows
        .filter((row) => !row.total)
        .map((row) => ({
          organisationNumber: row.organisation_number ?? '',
          name: row.name ?? '',
          persons: row.persons,
          neverLoggedIn: row.never_logged_in,
          permissions: row.permissions,
        })),
      total: {
        persons: total?.persons ?? 0,
        neverLoggedIn: total?.never_logged_in ?? 0,
        permissions: total?.permissions ?? 0,
      },
    };
  });
}
