import type { Knex } from 'knex';
import { recordAudit, recordAudits } from '../audit/service';
import { enqueueEmails, type OutgoingEmail } from '../mail/outbox';
import { paths } from '../paths';
import { lastDayOf } from '../permissions/end-date';
import { serviceName } from '../permissions/service';
import { groupBy } from '../domain/group-by';
import { tellEnded } from './ended-permissions';

export interface ExpirySettings {
  /** The reminder goes out this many days before the end (EXPIRY_REMINDER_DAYS). */
  reminderDays: number;
  /** The portal's public address, for the links in the emails. */
  baseUrl: string;
}

export interface ExpiryRun {
  /** Permissions whose reminder was sent in this run. */
  permissionsReminded: number;
  /** Permissions ended in this run. */
  permissionsEnded: number;
  appointmentsReminded: number;
  appointmentsEnded: number;
  /** Codes the run left without an administrator (the launch dashboard lists them). */
  codesWithoutAdministrator: string[];
}

const SYSTEM = { type: 'system', requestId: undefined } as const;

interface PermissionRow {
  id: string;
  person_id: string;
  employer_id: string;
  employer_code_id: string;
  expires_at: Date;
  service_key: string;
  service_name: string;
  code: string;
  employer_name: string;
  email: string | null;
  display_name: string;
  preferred_language: 'sv' | 'en';
}

interface AdministratorRow {
  person_id: string;
  employer_code_id: string;
  email: string;
  display_name: string;
  preferred_language: 'sv' | 'en';
}

interface AppointmentRow {
  id: string;
  person_id: string;
  employer_id: string;
  employer_code_id: string | null;
  role: 'orderer' | 'delegate' | 'administrator';
  valid_until: Date;
  code: string | null;
  employer_name: string;
  email: string | null;
  display_name: string;
  preferred_language: 'sv' | 'en';
}

/** Permissions (with their person, code and service) matching `where`, locked for the run. */
function permissionRows(trx: Knex.Transaction, where: string, bindings: Record<string, unknown>) {
  return trx.raw<{ rows: PermissionRow[] }>(
    `select p.id, p.person_id, c.employer_id, p.employer_code_id, p.expires_at, s.key as service_key,
            s.name as service_name, c.code, e.name as employer_name, u.email, u.display_name, u.preferred_language
       from permissions p
       join services s on s.id = p.service_id
       join employer_codes c on c.id = p.employer_code_id
       join employers e on e.id = c.employer_id
       join persons u on u.id = p.person_id
      where p.revoked_at is null and ${where}
      order by c.code, u.display_name, u.id, s.sort_order
        for update of p`,
    bindings,
  );
}

function appointmentRows(trx: Knex.Transaction, where: string, bindings: Record<string, unknown>) {
  return trx.raw<{ rows: AppointmentRow[] }>(
    `select r.id, r.person_id, r.employer_id, r.employer_code_id, r.role, r.valid_until, c.code,
            e.name as employer_name, u.email, u.display_name, u.preferred_language
       from role_assignments r
       join employers e on e.id = r.employer_id
       join persons u on u.id = r.person_id
       left join employer_codes c on c.id = r.employer_code_id
      where r.revoked_at is null and ${where}
      order by r.person_id, c.code
        for update of r`,
    bindings,
  );
}

/** The current administrators (with an email) of the codes at `at`. */
async function administratorsOf(trx: Knex.Transaction, codeIds: string[], at: Date): Promise<AdministratorRow[]> {
  if (codeIds.length === 0) return [];
  const { rows } = await trx.raw<{ rows: AdministratorRow[] }>(
    `select r.person_id, r.employer_code_id, a.email, a.display_name, a.preferred_language
       from role_assignments r join persons a on a.id = r.person_id
      where r.role = 'administrator' and r.revoked_at is null and (r.valid_until is null or r.valid_until > :at)
        and r.employer_code_id = any(:codeIds::uuid[]) and a.email is not null
      order by a.id`,
    { at, codeIds: `{${codeIds.join(',')}}` },
  );
  return rows;
}

/**
 * The reminders of permissions ending within the reminder window and not yet reminded of: the user gets one email
 * per code, each administrator of the codes one email listing their users'. Marked as reminded in the same
 * transaction, so each end date is reminded of once (changing the end date resets the mark).
 */
async function remindPermissions(trx: Knex.Transaction, settings: ExpirySettings, at: Date, emails: OutgoingEmail[]) {
  const { rows } = await permissionRows(
    trx,
    `p.expiry_reminded_at is null and p.expires_at > :at
     and p.expires_at <= :at::timestamptz + make_interval(days => :days)`,
    { at, days: settings.reminderDays },
  );
  if (rows.length === 0) return 0;
  const link = `${settings.baseUrl}${paths.overview}`;
  for (const group of groupBy(rows, (row) => `${row.person_id}:${row.employer_code_id}`)) {
    const [first] = group;
    if (!first?.email) continue;
    const language = first.preferred_language;
    emails.push({
      to: first.email,
      recipientPersonId: first.person_id,
      language,
      template: 'permission-expiry-reminder',
      data: {
        name: first.display_name,
        employerName: first.employer_name,
        code: first.code,
        services: group.map((row) => ({
          name: serviceName({ key: row.service_key, name: row.service_name }, language),
          validUntil: lastDayOf(row.expires_at),
        })),
        link,
      },
    });
  }
  const administrators = await administratorsOf(trx, [...new Set(rows.map((row) => row.employer_code_id))], at);
  for (const group of groupBy(administrators, (row) => row.person_id)) {
    const [administrator] = group;
    if (!administrator) continue;
    const codeIds = new Set(group.map((row) => row.employer_code_id));
    const theirs = rows.filter((row) => codeIds.has(row.employer_code_id));
    const language = administrator.preferred_language;
    emails.push({
      to: administrator.email,
      recipientPersonId: administrator.person_id,
      language,
      template: 'permission-expiry-administrators',
      data: {
        name: administrator.display_name,
        users: theirs.map((row) => ({
          name: row.display_name,
          code: row.code,
          service: serviceName({ key: row.service_key, name: row.service_name }, language),
          validUntil: lastDayOf(row.expires_at),
        })),
        link: `${settings.baseUrl}${paths.permissions.users}`,
      },
    });
  }
  await trx('permissions')
    .whereRaw('id = any(?::uuid[])', [rows.map((row) => row.id)])
    .update({ expiry_reminded_at: at });
  return rows.length;
}

/**
 * Ends the permissions whose end moment has passed: revoked at that moment (so the history shows when it ended),
 * by no person; one `permission.expired` audit row per person and code, one email per person and code.
 */
async function endPermissions(trx: Knex.Transaction, settings: ExpirySettings, at: Date, emails: OutgoingEmail[]) {
  const { rows } = await permissionRows(trx, 'p.expires_at <= :at', { at });
  if (rows.length === 0) return 0;
  // the ids as one array parameter: a list of parameters stops at 65,535
  await trx('permissions')
    .whereRaw('id = any(?::uuid[])', [rows.map((row) => row.id)])
    .update({ revoked_at: trx.ref('expires_at') });
  const told = tellEnded(rows, {
    action: 'permission.expired',
    template: 'permission-expired',
    permission: (row) => ({ id: row.id, expiresAt: row.expires_at.toISOString() }),
    link: `${settings.baseUrl}${paths.overview}`,
  });
  emails.push(...told.emails);
  await recordAudits(trx, told.audits, at);
  return rows.length;
}

function appointmentEmail(
  group: AppointmentRow[],
  template: 'appointment-expiry-reminder' | 'appointment-expired',
  settings: ExpirySettings,
): OutgoingEmail | undefined {
  const [first] = group;
  if (!first?.email) return undefined;
  return {
    to: first.email,
    recipientPersonId: first.person_id,
    language: first.preferred_language,
    template,
    data: {
      name: first.display_name,
      employerName: first.employer_name,
      roles: group.map((row) => ({ role: row.role, code: row.code, validUntil: lastDayOf(row.valid_until) })),
      link: `${settings.baseUrl}${paths.overview}`,
    },
  };
}

/** The reminder to the appointee of an appointment (orderer, delegate, administrator) ending within the window. */
async function remindAppointments(trx: Knex.Transaction, settings: ExpirySettings, at: Date, emails: OutgoingEmail[]) {
  const { rows } = await appointmentRows(
    trx,
    `r.expiry_reminded_at is null and r.valid_until > :at
     and r.valid_until <= :at::timestamptz + make_interval(days => :days)`,
    { at, days: settings.reminderDays },
  );
  for (const group of groupBy(rows, (row) => `${row.person_id}:${row.employer_id}`)) {
    const email = appointmentEmail(group, 'appointment-expiry-reminder', settings);
    if (email) emails.push(email);
  }
  if (rows.length > 0) {
    await trx('role_assignments')
      .whereRaw('id = any(?::uuid[])', [rows.map((row) => row.id)])
      .update({ expiry_reminded_at: at });
  }
  return rows.length;
}

/**
 * Ends the appointments whose end has passed, one `<role>.expired` audit row each. An administrator appointment is
 * ended even when it leaves its code without an administrator (the person setting the end date was warned): the
 * audit row says so, and the launch dashboard lists the code as missing an administrator.
 */
async function endAppointments(trx: Knex.Transaction, settings: ExpirySettings, at: Date, emails: OutgoingEmail[]) {
  const { rows } = await appointmentRows(trx, 'r.valid_until <= :at', { at });
  if (rows.length === 0) return { ended: 0, orphaned: [] };
  await trx('role_assignments')
    .whereRaw('id = any(?::uuid[])', [rows.map((row) => row.id)])
    .update({ revoked_at: trx.ref('valid_until') });
  const orphaned: string[] = [];
  for (const row of rows) {
    const orphan = row.employer_code_id !== null && (await administratorsLeft(trx, row.employer_code_id, at)) === 0;
    if (orphan && row.code && !orphaned.includes(row.code)) orphaned.push(row.code);
    await recordAudit(
      trx,
      {
        actor: SYSTEM,
        action: `${row.role}.expired`,
        employerId: row.employer_id,
        employerCodeId: row.employer_code_id,
        subjectType: 'person',
        subjectId: row.person_id,
        before: {
          name: row.display_name,
          role: row.role,
          codes: row.code ? [row.code] : [],
          validUntil: row.valid_until.toISOString(),
        },
        after: { name: row.display_name, codes: [], ...(orphan && { codeWithoutAdministrator: row.code }) },
      },
      at,
    );
  }
  for (const group of groupBy(rows, (row) => `${row.person_id}:${row.employer_id}`)) {
    const email = appointmentEmail(group, 'appointment-expired', settings);
    if (email) emails.push(email);
  }
  return { ended: rows.length, orphaned };
}

async function administratorsLeft(trx: Knex.Transaction, codeId: string, at: Date): Promise<number> {
  const row = await trx('role_assignments')
    .where({ employer_code_id: codeId, role: 'administrator' })
    .whereNull('revoked_at')
    .where((query) => {
      void query.whereNull('valid_until').orWhere('valid_until', '>', at);
    })
    .count<{ count: string }>('id as count')
    .first();
  return Number(row?.count ?? 0);
}

/**
 * The daily expiry run: reminders before the end dates, then the ends themselves, emails through the outbox in the
 * same transaction. Runs on several instances are serialised by an advisory lock. The decision API and the pages do
 * not wait for this job: they compare the end moment with the clock themselves.
 */
export async function runExpiryCheck(db: Knex, settings: ExpirySettings, now: Date): Promise<ExpiryRun> {
  return db.transaction(async (trx) => {
    await trx.raw(`select pg_advisory_xact_lock(hashtext('portal:expiry-check'))`);
    const emails: OutgoingEmail[] = [];
    const permissionsEnded = await endPermissions(trx, settings, now, emails);
    const permissionsReminded = await remindPermissions(trx, settings, now, emails);
    const appointments = await endAppointments(trx, settings, now, emails);
    const appointmentsReminded = await remindAppointments(trx, settings, now, emails);
    await enqueueEmails(trx, emails, now);
    return {
      permissionsReminded,
      permissionsEnded,
      appointmentsReminded,
      appointmentsEnded: appointments.ended,
      codesWithoutAdministrator: appointments.orphaned,
    };
  });
}
