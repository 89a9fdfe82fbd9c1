import type { Knex } from 'knex';
import { recordAudit } from '../audit/service';
import { enqueueEmails, type OutgoingEmail } from '../mail/outbox';
import { paths } from '../paths';
import { INACTIVE_FILTER } from '../permissions/paths';

export interface InactivitySettings {
  /** Users not logged in for this many months are inactive (INACTIVITY_MONTHS). */
  months: number;
  /** While they stay inactive, the administrators are reminded this many days after the last email. */
  reminderDays: number;
  /** The portal's public address, for the link in the email. */
  baseUrl: string;
}

export interface InactivityRun {
  notices: number;
  reminders: number;
  /** The administrators emailed in this run. */
  administratorIds: string[];
}

interface AdministratorRow {
  administrator_id: string;
  email: string;
  display_name: string;
  preferred_language: 'sv' | 'en';
  has_new: boolean;
  employer_names: string;
  users: { userId: string; codeId: string; name: string; code: string; lastLoginAt: string | null }[];
}

/** The administrators' overview, filtered on inactive users (the overview itself belongs to issue 5). */
export const INACTIVE_USERS_PATH = `${paths.permissions.users}?${INACTIVE_FILTER.param}=${INACTIVE_FILTER.value}`;

/**
 * Every administrator with inactive users on the codes they administer, in one set-based statement.
 *
 * A user is inactive on a code while they hold a current permission there that was granted before the cutoff, or
 * imported from the old records, and they have not logged in since the cutoff (or never have), in the portal or in
 * the old records (legacy_last_login_at): so users already inactive there are reported from launch day, not 18 months
 * later. A notification row counts only when it is newer than the user's last login: a user who logs in starts over. An administrator is due when one of their inactive users
 * is new to them, or when the last email about them is older than the reminder interval.
 */
const DUE_ADMINISTRATORS = `
  with inactive as (
    select u.id as user_id, perm.employer_code_id as code_id, u.display_name as user_name,
           greatest(u.last_login_at, u.legacy_last_login_at) as last_login_at
      from persons u
      join permissions perm on perm.person_id = u.id
     where (greatest(u.last_login_at, u.legacy_last_login_at) is null
            or greatest(u.last_login_at, u.legacy_last_login_at) < :cutoff)
       and perm.revoked_at is null
       and (perm.expires_at is null or perm.expires_at > :now)
       and (perm.granted_at < :cutoff or perm.source = 'import')
     group by u.id, perm.employer_code_id
  ),
  pairs as (
    select ra.person_id as administrator_id, i.*, n.notified_at
      from inactive i
      join role_assignments ra
        on ra.employer_code_id = i.code_id and ra.role = 'administrator'
       and ra.revoked_at is null and (ra.valid_until is null or ra.valid_until > :now)
      left join inactivity_notifications n
        on n.administrator_person_id = ra.person_id and n.user_person_id = i.user_id
       and n.employer_code_id = i.code_id and n.notified_at > coalesce(i.last_login_at, '-infinity')
  )
  select a.id as administrator_id, a.email, a.display_name, a.preferred_language,
         bool_or(p.notified_at is null) as has_new,
         string_agg(distinct e.name, ', ') as employer_names,
         json_agg(json_build_object('userId', p.user_id, 'codeId', p.code_id, 'name', p.user_name, 'code', c.code,
                                    'lastLoginAt', p.last_login_at)
                  order by c.code, p.user_name, p.user_id) as users
    from pairs p
    join persons a on a.id = p.administrator_id
    join employer_codes c on c.id = p.code_id
    join employers e on e.id = c.employer_id
   where a.email is not null
   group by a.id
  having bool_or(p.notified_at is null) or max(p.notified_at) <= :reminderCutoff
   order by a.id`;

/**
 * Remembers what was sent. A reminder keeps the first notice's time and counts up; a notice starts over.
 * (`excluded.reminders` carries the kind: 1 for a reminder, 0 for a notice.)
 */
const REMEMBER = `
  insert into inactivity_notifications
    (administrator_person_id, user_person_id, employer_code_id, first_notified_at, notified_at, reminders)
  select x.administrator_id, x.user_id, x.code_id, :at, :at, x.reminder
    from json_to_recordset(:rows) as x(administrator_id uuid, user_id uuid, code_id uuid, reminder integer)
  on conflict on constraint inactivity_notifications_pkey do update
     set notified_at = excluded.notified_at,
         first_notified_at = case when excluded.reminders = 1
                                  then inactivity_notifications.first_notified_at else excluded.first_notified_at end,
         reminders = case when excluded.reminders = 1 then inactivity_notifications.reminders + 1 else 0 end`;

/**
 * The daily inactivity check: at most one email per administrator per run (a notice, or a reminder), written to the
 * outbox in the same transaction as the record of what was sent and the run's audit row. Runs on several app
 * instances at once are serialised by an advisory lock, so a second run finds nothing left to send.
 */
export async function runInactivityCheck(db: Knex, settings: InactivitySettings, now: Date): Promise<InactivityRun> {
  return db.transaction(async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(hashtext('portal:inactivity-check'))`);
    const { rows: administrators } = await trx.raw<{ rows: AdministratorRow[] }>(DUE_ADMINISTRATORS, {
      now,
      cutoff: trx.raw(`?::timestamptz - make_interval(months => ?)`, [now, settings.months]),
      reminderCutoff: trx.raw(`?::timestamptz - make_interval(days => ?)`, [now, settings.reminderDays]),
    });
    const remembered: { administrator_id: string; user_id: string; code_id: string; reminder: number }[] = [];
    const emails: OutgoingEmail[] = [];
    let notices = 0;
    for (const administrator of administrators) {
      const reminder = !administrator.has_new;
      if (!reminder) notices += 1;
      emails.push({
        to: administrator.email,
        recipientPersonId: administrator.administrator_id,
        language: administrator.preferred_language,
        template: reminder ? 'inactivity-reminder' : 'inactivity-notice',
        data: {
          name: administrator.display_name,
          employerName: administrator.employer_names,
          users: administrator.users.map((user) => ({
            name: user.name,
            code: user.code,
            lastLoginAt: user.lastLoginAt ? new Date(user.lastLoginAt).toISOString() : null,
          })),
          link: `${settings.baseUrl}${INACTIVE_USERS_PATH}`,
          months: settings.months,
        },
      });
      for (const user of administrator.users) {
        remembered.push({
          administrator_id: administrator.administrator_id,
          user_id: user.userId,
          code_id: user.codeId,
          reminder: reminder ? 1 : 0,
        });
      }
    }
    // One insert per thousand emails: at national scale a run writes about 20,000 (one round trip each took 5.6 s).
    await enqueueEmails(trx, emails, now);
    if (remembered.length > 0) await trx.raw(REMEMBER, { at: now, rows: JSON.stringify(remembered) });
    const run = {
      notices,
      reminders: administrators.length - notices,
      administratorIds: administrators.map((administrator) => administrator.administrator_id),
    };
    await recordAudit(
      trx,
      {
        actor: { type: 'system', requestId: undefined },
        action: 'inactivity.checked',
        subjectType: 'job',
        subjectId: 'inactivity-check',
        after: {
          notices: run.notices,
          reminders: run.reminders,
          administrators: run.administratorIds,
          inactiveUsers: new Set(remembered.map((row) => row.user_id)).size,
          months: settings.months,
          reminderDays: settings.reminderDays,
        },
      },
      now,
    );
    return run;
  });
}
