import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PERSONS, loadDemoData } from '../../src/demo/seed';
import { INACTIVE_USERS_PATH, runInactivityCheck, type InactivitySettings } from '../../src/jobs/inactivity';
import { createLogger } from '../../src/logger';
import { createOutboxWorker } from '../../src/mail/setup';
import { smtpTransport } from '../../src/mail/transport';
import { buildTestApp } from '../helpers/app';
import { startSmtpServer } from '../helpers/smtp';

const testApp = await buildTestApp();
const { db, config } = testApp;
await loadDemoData(db);
const smtp = await startSmtpServer();
const DAY = 86_400_000;
const start = testApp.clock.now;
const settings: InactivitySettings = { ...config.inactivity, baseUrl: config.baseUrl };

function demo(key: string) {
  const person = DEMO_PERSONS.find((candidate) => candidate.key === key);
  if (!person) throw new Error(key);
  return person;
}

async function idOf(key: string): Promise<string> {
  const row = await db('persons')
    .where({ personal_identity_number: demo(key).personalIdentityNumber })
    .first<{ id: string }>('id');
  return row.id;
}

interface Sent {
  to: string;
  template: string;
  users: { name: string; code: string; lastLoginAt: string | null }[];
}

/** Runs the job at `start + days` and gives what it put in the outbox in that run. */
async function runAt(days: number, options: Partial<InactivitySettings> = {}): Promise<Sent[]> {
  const now = new Date(start + days * DAY);
  const before = await db('outbox').max<{ max: number | null }>('id as max').first();
  await runInactivityCheck(db, { ...settings, ...options }, now);
  const rows = await db('outbox')
    .where('id', '>', before?.max ?? 0)
    .orderBy('recipient_email')
    .select<{ recipient_email: string; template: string; data: { users: Sent['users'] } }[]>(
      'recipient_email',
      'template',
      'data',
    );
  return rows.map((row) => ({ to: row.recipient_email, template: row.template, users: row.data.users }));
}

const maria = demo('administrator-all-codes').email;
const johan = demo('administrator-north').email;
const names = (sent: Sent | undefined) => sent?.users.map((user) => `${user.name} ${user.code}`);

async function logIn(key: string, days: number): Promise<void> {
  await db('persons')
    .where({ id: await idOf(key) })
    .update({ last_login_at: new Date(start + days * DAY) });
}

async function removeUser(key: string, days: number): Promise<void> {
  await db('permissions')
    .where({ person_id: await idOf(key) })
    .whereNull('revoked_at')
    .update({ revoked_at: new Date(start + days * DAY) });
}

beforeEach(async () => {
  await db('inactivity_notifications').del();
  await db('outbox').del();
  await db('permissions').update({ revoked_at: null, revoked_by_person_id: null });
  await db('persons').update({ last_login_at: new Date(start - 2 * DAY), legacy_last_login_at: null });
  await db('persons')
    .where({ personal_identity_number: demo('user-inactive').personalIdentityNumber })
    .update({ last_login_at: db.raw(`?::timestamptz - interval '20 months'`, [new Date(start)]) });
});

describe('the inactivity job', () => {
  it('notifies each administrator of the inactive user’s code once, and the email arrives', async () => {
    const sent = await runAt(0);
    expect(sent.map((email) => [email.to, email.template])).toEqual([
      [johan, 'inactivity-notice'],
      [maria, 'inactivity-notice'],
    ]);
    expect(names(sent[0])).toEqual(['Gunnel Holm 40102']);
    expect(names(sent[1])).toEqual(['Gunnel Holm 40102']);
    expect(await runAt(0)).toEqual([]);
    expect(await runAt(1)).toEqual([]);

    const worker = await createOutboxWorker({
      config,
      db,
      now: () => start + DAY,
      logger: createLogger('silent'),
      transport: smtpTransport(smtp.url),
    });
    await worker.deliverDue();
    const arrived = await smtp.waitFor(2);
    const toMaria = arrived.find((message) => message.envelopeTo.includes(maria));
    expect(toMaria?.mail.subject).toBe('Användare som inte har loggat in på länge');
    expect(toMaria?.mail.text).toContain('Gunnel Holm, arbetsgivarkod 40102, senast inloggad');
    expect(toMaria?.mail.text).toContain(`${config.baseUrl}${INACTIVE_USERS_PATH}`);

    const audit = await db('audit_log')
      .where({ action: 'inactivity.checked' })
      .orderBy('id')
      .select<{ actor_type: string; actor_person_id: string | null; after: unknown }[]>(
        'actor_type',
        'actor_person_id',
        'after',
      );
    expect(audit[0]).toMatchObject({ actor_type: 'system', actor_person_id: null });
    expect(audit[0]?.after).toMatchObject({ notices: 2, reminders: 0, inactiveUsers: 1 });
  });

  it('reminds after the interval while the user stays inactive, and stops once the user logs in', async () => {
    expect(await runAt(0)).toHaveLength(2);
    expect(await runAt(settings.reminderDays - 1)).toEqual([]);
    const reminders = await runAt(settings.reminderDays);
    expect(reminders.map((email) => [email.to, email.template])).toEqual([
      [johan, 'inactivity-reminder'],
      [maria, 'inactivity-reminder'],
    ]);
    expect(await runAt(settings.reminderDays + 1)).toEqual([]);
    expect(await runAt(2 * settings.reminderDays)).toHaveLength(2);

    await logIn('user-inactive', 2 * settings.reminderDays + 1);
    expect(await runAt(3 * settings.reminderDays)).toEqual([]);
    expect(await runAt(10 * settings.reminderDays)).toEqual([]);
  });

  it('stops once the user is removed', async () => {
    expect(await runAt(0)).toHaveLength(2);
    await removeUser('user-inactive', 1);
    expect(await runAt(settings.reminderDays)).toEqual([]);
    expect(await runAt(5 * settings.reminderDays)).toEqual([]);
  });

  it('against a clock 19 months on: one email per administrator listing all their inactive users', async () => {
    const later = 19 * 31;
    const sent = await runAt(later);
    expect(sent.map((email) => [email.to, email.template])).toEqual([
      [johan, 'inactivity-notice'],
      [maria, 'inactivity-notice'],
    ]);
    expect(names(sent[0])).toEqual(['Gunnel Holm 40102', 'Lars Persson 40102', 'Sara Karlsson 40102']);
    expect(names(sent[1])).toEqual([
      'Lars Persson 40101',
      'Mikko Virtanen 40101',
      'Sara Karlsson 40101',
      'Gunnel Holm 40102',
      'Lars Persson 40102',
      'Sara Karlsson 40102',
      'Mikko Virtanen 40199',
    ]);

    // Lars is removed and Sara logs in: the reminder lists the others only; Johan's list is Gunnel alone
    await removeUser('user-payroll', later + 1);
    await logIn('user-reporting', later + 1);
    const reminders = await runAt(later + settings.reminderDays);
    expect(reminders.map((email) => email.template)).toEqual(['inactivity-reminder', 'inactivity-reminder']);
    expect(names(reminders[0])).toEqual(['Gunnel Holm 40102']);
    expect(names(reminders[1])).toEqual(['Mikko Virtanen 40101', 'Gunnel Holm 40102', 'Mikko Virtanen 40199']);
  });

  it('sends a notice, not a reminder, when a user falls inactive again after logging in', async () => {
    expect(await runAt(0)).toHaveLength(2);
    await logIn('user-inactive', 1);
    const again = await runAt(1 + 19 * 31);
    expect(again.every((email) => email.template === 'inactivity-notice')).toBe(true);
    expect(names(again.find((email) => email.to === johan))).toContain('Gunnel Holm 40102');
  });

  it('reports an imported user already inactive in the old records from launch day, not 18 months later', async () => {
    // Lars's filoverforing on 40101 comes from the import, made today; he never logged in to the portal, and his last
    // login in the old records was two years ago
    const lars = await idOf('user-payroll');
    await db('permissions')
      .where({ person_id: lars, source: 'import' })
      .update({ granted_at: new Date(start) });
    const legacyLogin = new Date(start - 2 * 365 * DAY);
    await db('persons').where({ id: lars }).update({ last_login_at: null, legacy_last_login_at: legacyLogin });
    const sent = await runAt(0);
    // 40101 is the imported permission; 40102 holds permissions given in the portal in 2022
    expect(names(sent.find((email) => email.to === maria))).toEqual([
      'Lars Persson 40101',
      'Gunnel Holm 40102',
      'Lars Persson 40102',
    ]);
    expect(names(sent.find((email) => email.to === johan))).toEqual(['Gunnel Holm 40102', 'Lars Persson 40102']);
    const listed = sent.find((email) => email.to === maria)?.users.find((user) => user.name === 'Lars Persson');
    expect(listed?.lastLoginAt).toBe(legacyLogin.toISOString());

    // a recent login in the old records counts as a login
    await db('inactivity_notifications').del();
    await db('persons')
      .where({ id: lars })
      .update({ legacy_last_login_at: new Date(start - 10 * DAY) });
    expect(names((await runAt(0)).find((email) => email.to === maria))).toEqual(['Gunnel Holm 40102']);
  });

  it('counts a user who never logged in from the grant, and takes its thresholds from the configuration', async () => {
    const gunnel = await idOf('user-inactive');
    await db('persons').where({ id: gunnel }).update({ last_login_at: null });
    // granted in 2020 and never logged in: inactive
    expect(await runAt(0)).toHaveLength(2);

    const longer = loadConfig({ NODE_ENV: 'test', INACTIVITY_MONTHS: '24', INACTIVITY_REMINDER_DAYS: '7' });
    expect(longer.inactivity).toEqual({ months: 24, reminderDays: 7 });
    await db('inactivity_notifications').del();
    await db('persons')
      .where({ id: gunnel })
      .update({ last_login_at: new Date(start - 20 * 30 * DAY) });
    expect(await runAt(1, longer.inactivity)).toEqual([]);
    expect(await runAt(1)).toHaveLength(2);
    expect(await runAt(8, longer.inactivity)).toEqual([]);
    expect(await runAt(5 * 30, longer.inactivity)).toHaveLength(2);

    // a permission granted in the portal a month ago does not make a user inactive, whenever they last logged in
    await db('permissions')
      .where({ person_id: gunnel })
      .update({
        granted_at: new Date(start - 30 * DAY),
        source: 'portal',
        granted_by_person_id: await idOf('administrator-north'),
      });
    await db('inactivity_notifications').del();
    expect(await runAt(0)).toEqual([]);
  });
});
