import type { Knex } from 'knex';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PERSONS, loadDemoData } from '../../src/demo/seed';
import { createLogger } from '../../src/logger';
import { enqueueEmail } from '../../src/mail/outbox';
import { createOutboxWorker } from '../../src/mail/setup';
import { smtpTransport } from '../../src/mail/transport';
import { buildTestApp } from '../helpers/app';
import { startSmtpServer, type ArrivedMail } from '../helpers/smtp';

const testApp = await buildTestApp({ MAIL_MAX_ATTEMPTS: '3', MAIL_LEASE_MINUTES: '10' });
const { db, clock } = testApp;
await loadDemoData(db);
const smtp = await startSmtpServer();
const logger = createLogger('silent');
const MINUTE = 60_000;

function worker() {
  return createOutboxWorker({
    config: testApp.config,
    db,
    now: () => clock.now,
    logger,
    transport: smtpTransport(smtp.url),
  });
}

function demo(key: string) {
  const person = DEMO_PERSONS.find((candidate) => candidate.key === key);
  if (!person) throw new Error(key);
  return person;
}

async function personId(trx: Knex, key: string): Promise<string> {
  const row = await trx('persons')
    .where({ personal_identity_number: demo(key).personalIdentityNumber })
    .first<{ id: string }>('id');
  return row.id;
}

/**
 * A real change and its email, as a feature makes them: the user's permissions on 40102 are revoked and the
 * `user-removed` email is written in the same transaction. `fail` rolls the transaction back after both.
 */
async function removeUser(key: string, options: { fail?: boolean } = {}): Promise<void> {
  const person = demo(key);
  await db.transaction(async (trx) => {
    const id = await personId(trx, key);
    const code = await trx('employer_codes').where({ code: '40102' }).first<{ id: string }>('id');
    await trx('permissions')
      .where({ person_id: id, employer_code_id: code.id })
      .whereNull('revoked_at')
      .update({ revoked_at: new Date(clock.now) });
    await enqueueEmail(
      trx,
      {
        to: person.email,
        recipientPersonId: id,
        language: person.preferredLanguage,
        template: 'user-removed',
        data: {
          name: `${person.givenName} ${person.familyName}`,
          employerName: 'Myndigheten för kulturarvsdata',
          code: '40102',
          link: `${testApp.config.baseUrl}/oversikt`,
        },
      },
      new Date(clock.now),
    );
    if (options.fail) throw new Error('the change failed after the email was written');
  });
}

/** Plain emails to many recipients, each committed in its own transaction. */
async function enqueueMany(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await db.transaction((trx) =>
      enqueueEmail(
        trx,
        {
          to: `person${index}@example.se`,
          template: 'orderer-activated',
          data: { name: `Person ${index}`, employerName: 'Arbetsgivaren', link: 'http://localhost:3000/' },
        },
        new Date(clock.now),
      ),
    );
  }
}

const outboxIds = (messages: ArrivedMail[]) =>
  messages.map((message) => message.mail.headers.get('x-portal-outbox-id'));

async function outboxRows() {
  return db('outbox')
    .orderBy('id')
    .select<{ id: number; status: string; attempts: number; next_attempt_at: Date; last_error: string | null }[]>(
      'id',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
    );
}

beforeEach(async () => {
  await db('outbox').del();
  smtp.messages.length = 0;
  smtp.refuseWith(undefined);
  await smtp.start();
});

describe('the outbox worker', () => {
  it('delivers a committed change’s email in Swedish: recipient, subject, body, footer, no identity number', async () => {
    await removeUser('user-payroll');
    const round = await (await worker()).deliverDue();
    expect(round).toEqual({ sent: 1, retrying: 0, failed: 0 });

    const [arrived] = await smtp.waitFor(1);
    expect(arrived?.envelopeTo).toEqual([demo('user-payroll').email]);
    expect(arrived?.mail.from?.text).toContain('noreply@localhost');
    expect(arrived?.mail.subject).toBe('Din behörighet för Myndigheten för kulturarvsdata har tagits bort');
    expect(arrived?.mail.text).toContain('Hej Lars Persson!');
    expect(arrived?.mail.text).toContain('arbetsgivarkod 40102');
    expect(arrived?.mail.text).toContain('Statens tjänstepensionsverk');
    expect(arrived?.mail.html).toContain('Kontakta först din arbetsgivares');
    const raw = `${arrived?.mail.text}${String(arrived?.mail.html)}`;
    expect(raw).not.toContain(demo('user-payroll').personalIdentityNumber.slice(2));

    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect((await db('outbox').first<{ sent_at: Date }>('sent_at')).sent_at.getTime()).toBe(clock.now);
  });

  it('delivers in English to a person who prefers English', async () => {
    await removeUser('user-finance');
    await (await worker()).deliverDue();
    const [arrived] = await smtp.waitFor(1);
    expect(arrived?.envelopeTo).toEqual([demo('user-finance').email]);
    expect(arrived?.mail.subject).toBe('Your permission for Myndigheten för kulturarvsdata has been removed');
    expect(arrived?.mail.text).toContain('Hello Mikko Virtanen,');
    expect(arrived?.mail.text).toContain('Swedish National Government Employee Pensions Board');
  });

  it('sends nothing for a rolled-back change', async () => {
    await expect(removeUser('user-reporting', { fail: true })).rejects.toThrow('the change failed');
    expect(await outboxRows()).toEqual([]);
    expect(await (await worker()).deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    const id = await personId(db, 'user-reporting');
    const active = await db('permissions').where({ person_id: id }).whereNull('revoked_at').count({ n: '*' });
    expect(Number(active[0]?.n)).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(0);
  });

  it('keeps changes committed while the SMTP server is down, and delivers each email once it is back', async () => {
    await smtp.stop();
    await removeUser('user-payroll');
    await removeUser('user-reporting');
    await enqueueMany(3);
    const mailer = await worker();

    expect(await mailer.deliverDue()).toEqual({ sent: 0, retrying: 5, failed: 0 });
    const rows = await outboxRows();
    expect(rows.map((row) => [row.status, row.attempts])).toEqual(Array(5).fill(['pending', 1]));
    expect(rows.every((row) => row.next_attempt_at.getTime() === clock.now + MINUTE)).toBe(true);
    expect(rows[0]?.last_error).toMatch(/ECONNREFUSED|connect/i);

    // not due again before the back-off has passed, even with the server back
    await smtp.start();
    expect(await mailer.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(MINUTE);
    expect(await mailer.deliverDue()).toEqual({ sent: 5, retrying: 0, failed: 0 });
    expect(await mailer.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });

    const arrived = await smtp.waitFor(5);
    expect(arrived).toHaveLength(5);
    expect(new Set(outboxIds(arrived)).size).toBe(5);
    expect((await outboxRows()).map((row) => [row.status, row.attempts])).toEqual(Array(5).fill(['sent', 2]));
  });

  it('backs off longer after each failed attempt, and marks the email failed after the last', async () => {
    smtp.refuseWith(451);
    await removeUser('user-payroll');
    const mailer = await worker();
    const start = clock.now;

    expect(await mailer.deliverDue()).toMatchObject({ retrying: 1 });
    expect((await outboxRows())[0]?.next_attempt_at.getTime()).toBe(start + MINUTE);
    clock.advance(MINUTE);
    expect(await mailer.deliverDue()).toMatchObject({ retrying: 1 });
    expect((await outboxRows())[0]?.next_attempt_at.getTime()).toBe(start + MINUTE + 2 * MINUTE);
    clock.advance(2 * MINUTE);
    expect(await mailer.deliverDue()).toMatchObject({ failed: 1 });

    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row?.last_error).toContain('451');
    clock.advance(24 * 60 * MINUTE);
    expect(await mailer.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails an email with an unknown template at once, and still sends the others', async () => {
    await db.transaction(async (trx) => {
      await enqueueEmail(trx, { to: 'a@example.se', template: 'no-such-template', data: {} }, new Date(clock.now));
    });
    await removeUser('user-payroll');
    expect(await (await worker()).deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 1 });
    const [unknown] = await outboxRows();
    expect(unknown).toMatchObject({ status: 'failed', attempts: 1 });
    expect(unknown?.last_error).toContain('unknown email template no-such-template');
  });

  it('sends every email exactly once with two workers running at the same time, through an outage', async () => {
    await smtp.stop();
    await enqueueMany(24);
    const first = await worker();
    const second = await worker();
    const together = async () => {
      const [a, b] = await Promise.all([first.deliverDue(), second.deliverDue()]);
      return { sent: a.sent + b.sent, retrying: a.retrying + b.retrying, failed: a.failed + b.failed };
    };

    expect(await together()).toEqual({ sent: 0, retrying: 24, failed: 0 });
    await smtp.start();
    clock.advance(MINUTE);
    await enqueueMany(6);
    const rounds = await Promise.all([together(), together(), together()]);
    expect(rounds.reduce((total, round) => total + round.sent, 0)).toBe(30);

    const arrived = await smtp.waitFor(30);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(arrived).toHaveLength(30);
    expect(new Set(outboxIds(arrived)).size).toBe(30);
    expect(new Set(arrived.flatMap((message) => message.envelopeTo)).size).toBe(24);
    expect((await outboxRows()).every((row) => row.status === 'sent')).toBe(true);
  });

  it('takes over a row whose worker died while sending, once its lease has passed', async () => {
    await removeUser('user-payroll');
    // a worker claimed the row and died before finishing: 'sending', one attempt, leased for 10 minutes
    await db('outbox').update({ status: 'sending', attempts: 1, next_attempt_at: new Date(clock.now + 10 * MINUTE) });
    const mailer = await worker();
    expect(await mailer.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(10 * MINUTE);
    expect(await mailer.deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    await smtp.waitFor(1);
    expect((await outboxRows())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
