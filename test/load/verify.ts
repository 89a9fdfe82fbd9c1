import type { Knex } from 'knex';
import type { RecordedChange, Violation } from './drivers';
import type { ArrivedMail } from './smtp';

export interface Verification {
  changesVerified: number;
  emailsSent: number;
  emailsArrived: number;
  /** Emails accepted by the relay just before their sender was killed, so never marked sent, and sent again. */
  resentAfterKill: number;
  violations: Violation[];
}

/**
 * How long before the kill a delivery may have been accepted and yet not marked sent by the killed instance: the
 * relay's acceptance, the answer reaching the instance and its one update of the row take milliseconds.
 */
const KILL_WINDOW_MS = 2_000;

interface AuditRow {
  id: number;
  action: string;
  occurred_at: Date;
  employer_code_id: string | null;
  subject_id: string | null;
}

/** Every change answered with success: its grant row, its audit row, its outbox row, its one delivered email. */
async function verifyChanges(
  db: Knex,
  changes: RecordedChange[],
  deliveries: Map<string, number>,
  violations: Violation[],
): Promise<number> {
  let verified = 0;
  for (const change of changes) {
    const action = change.kind === 'grant' ? 'permission.granted' : 'permission.revoked';
    const audit = await db('audit_log')
      .where({ request_id: change.requestId, action })
      .first<AuditRow | undefined>('id', 'action', 'occurred_at', 'employer_code_id', 'subject_id');
    if (audit?.employer_code_id !== change.codeId || !audit.subject_id) {
      violations.push({ what: 'lost change', detail: `${change.kind} ${change.requestId}: no audit row` });
      continue;
    }
    const permission = await db('permissions')
      .where({ id: audit.subject_id })
      .first<{ person_id: string; service_id: string; revoked_at: Date | null } | undefined>();
    const matches =
      permission?.person_id === change.personId &&
      permission.service_id === change.serviceId &&
      (change.kind === 'grant' || permission.revoked_at !== null);
    if (!matches) {
      violations.push({ what: 'lost change', detail: `${change.kind} ${change.requestId}: no matching grant row` });
      continue;
    }
    const outbox = await db('outbox')
      .where({ recipient_person_id: change.personId, template: 'permission-changed', created_at: audit.occurred_at })
      .select<{ id: number; status: string }[]>('id', 'status');
    const [email] = outbox;
    if (outbox.length !== 1 || !email) {
      violations.push({ what: 'email', detail: `${change.kind} ${change.requestId}: ${outbox.length} outbox rows` });
      continue;
    }
    const arrived = deliveries.get(String(email.id)) ?? 0;
    if (email.status !== 'sent' || arrived !== 1) {
      violations.push({
        what: 'email',
        detail: `${change.kind} ${change.requestId}: outbox ${email.id} is ${email.status}, arrived ${arrived}×`,
      });
      continue;
    }
    verified += 1;
  }
  return verified;
}

/** The invariants, in SQL over the whole database. */
async function verifyInvariants(db: Knex, since: Date, violations: Violation[]): Promise<void> {
  const orphanCodes = await db.raw<{ rows: { code: string }[] }>(`
    select c.code from employer_codes c
    where c.active
      and exists (select 1 from role_assignments o where o.employer_id = c.employer_id and o.role = 'orderer'
                  and o.revoked_at is null and (o.valid_until is null or o.valid_until > now()))
      -- a code that has never had an administrator is on the launch dashboard's list of codes missing one
      and exists (select 1 from role_assignments a where a.employer_code_id = c.id and a.role = 'administrator')
      and not exists (select 1 from role_assignments a where a.employer_code_id = c.id and a.role = 'administrator'
                      and a.revoked_at is null and (a.valid_until is null or a.valid_until > now()))`);
  for (const { code } of orphanCodes.rows) {
    violations.push({ what: 'last administrator', detail: `code ${code} of an employer with an orderer has none` });
  }
  // changes made during the run (the demo data's grants were loaded, not made through the portal)
  const unaudited = await db.raw<{ rows: { id: string; change: string }[] }>(
    `
    select p.id, 'granted' as change from permissions p
    where p.source = 'portal' and p.granted_at >= :since and not exists (
      select 1 from audit_log a where a.action = 'permission.granted' and a.subject_id = p.id::text)
    union all
    select p.id, 'revoked' from permissions p
    where p.revoked_by_person_id is not null and p.revoked_at >= :since and not exists (
      select 1 from audit_log a where a.subject_id = p.id::text and a.action = 'permission.revoked'
      union all
      select 1 from audit_log a where a.action in ('user.removed_from_code', 'user.removed')
        and a.before::text like '%' || p.id::text || '%')`,
    { since },
  );
  for (const row of unaudited.rows) {
    violations.push({ what: 'audit', detail: `permission ${row.id} ${row.change} without an audit row` });
  }
  const unmailed = await db.raw<{ rows: { id: number }[] }>(
    `
    select a.id from audit_log a
    join permissions p on p.id::text = a.subject_id
    join persons person on person.id = p.person_id
    where a.action in ('permission.granted', 'permission.revoked') and a.actor_type = 'person'
      and person.email is not null and a.occurred_at >= :since
      and not exists (select 1 from outbox o where o.recipient_person_id = p.person_id
                      and o.template = 'permission-changed' and o.created_at = a.occurred_at)`,
    { since },
  );
  for (const row of unmailed.rows) {
    violations.push({ what: 'email', detail: `audited change ${row.id} has no outbox row` });
  }
  const unsent = await db('outbox')
    .whereNot({ status: 'sent' })
    .select<{ id: number; status: string; attempts: number }[]>('id', 'status', 'attempts');
  for (const row of unsent) {
    violations.push({ what: 'email', detail: `outbox ${row.id} still ${row.status} after ${row.attempts} attempts` });
  }
}

/**
 * Counts the deliveries of each outbox row. Delivery is at least once: an instance killed between the relay's
 * acceptance and its update of the row leaves the row to be sent again after its lease, with the same Message-ID so
 * the receiving system can tell. Exactly that case (two copies, the same Message-ID, the first accepted within
 * moments before the kill) is counted apart and as one delivery; any other repeat is a violation.
 */
function countDeliveries(
  arrived: ArrivedMail[],
  killedAt: number | undefined,
  violations: Violation[],
): { deliveries: Map<string, number>; resentAfterKill: number } {
  const copies = new Map<string, ArrivedMail[]>();
  for (const mail of arrived) {
    const id = mail.outboxId ?? '(none)';
    copies.set(id, [...(copies.get(id) ?? []), mail]);
  }
  const deliveries = new Map<string, number>();
  let resentAfterKill = 0;
  for (const [id, [first, ...repeats]] of copies) {
    const repeat = repeats[0];
    const resentAfterTheKill =
      first !== undefined &&
      repeat !== undefined &&
      repeats.length === 1 &&
      killedAt !== undefined &&
      first.messageId !== undefined &&
      repeat.messageId === first.messageId &&
      first.at <= killedAt &&
      killedAt - first.at <= KILL_WINDOW_MS &&
      repeat.at > killedAt;
    if (resentAfterTheKill) resentAfterKill += 1;
    else if (repeats.length > 0) {
      violations.push({ what: 'email twice', detail: `outbox ${id} arrived ${repeats.length + 1} times` });
    }
    deliveries.set(id, resentAfterTheKill ? 1 : repeats.length + 1);
  }
  return { deliveries, resentAfterKill };
}

export async function verify(
  db: Knex,
  since: Date,
  changes: RecordedChange[],
  arrived: ArrivedMail[],
  killedAt: number | undefined,
): Promise<Verification> {
  const violations: Violation[] = [];
  const { deliveries, resentAfterKill } = countDeliveries(arrived, killedAt, violations);
  const changesVerified = await verifyChanges(db, changes, deliveries, violations);
  await verifyInvariants(db, since, violations);
  const [sent] = await db('outbox').where({ status: 'sent' }).count<{ count: number }[]>({ count: '*' });
  const emailsSent = sent?.count ?? 0;
  if (emailsSent !== deliveries.size) {
    violations.push({ what: 'email', detail: `${emailsSent} outbox rows sent, ${deliveries.size} distinct arrived` });
  }
  return { changesVerified, emailsSent, emailsArrived: arrived.length, resentAfterKill, violations };
}
