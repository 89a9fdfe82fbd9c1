import * as cheerio from 'cheerio';
import express from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { DEMO_PERSONS, loadDemoData } from '../../src/demo/seed';
import { createLogger } from '../../src/logger';
import { devMailboxRoutes } from '../../src/mail/dev-mailbox-routes';
import { enqueueEmail } from '../../src/mail/outbox';
import { mailPaths } from '../../src/mail/paths';
import { createOutboxWorker } from '../../src/mail/setup';
import { smtpTransport } from '../../src/mail/transport';
import { pathTo } from '../../src/paths';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { listRoutes } from '../helpers/routes';
import { startSmtpServer } from '../helpers/smtp';

const testApp = await buildTestApp({ MAIL_MAX_ATTEMPTS: '2' });
const { db, clock, config } = testApp;
await loadDemoData(db);
const smtp = await startSmtpServer();
const logger = createLogger('silent');
const MINUTE = 60_000;

function pin(key: string): string {
  const person = DEMO_PERSONS.find((candidate) => candidate.key === key);
  if (!person) throw new Error(key);
  return person.personalIdentityNumber;
}

async function enqueue(to: string, language: 'sv' | 'en' = 'sv'): Promise<void> {
  await db.transaction((trx) =>
    enqueueEmail(
      trx,
      {
        to,
        language,
        template: 'orderer-invitation',
        data: {
          name: 'Anna Bergström',
          employerName: 'Myndigheten för kulturarvsdata',
          codes: [{ code: '40101', name: 'Huvudkontoret' }],
          link: `${config.baseUrl}/bestallare/inbjudan/abc123`,
          expiresAt: new Date(clock.now + 14 * 24 * 60 * MINUTE).toISOString(),
        },
      },
      new Date(clock.now),
    ),
  );
}

async function staffAgent() {
  const agent = request.agent(testApp.app);
  await loginWithEid(agent, pin('staff'));
  return agent;
}

beforeEach(async () => {
  await db('dev_mailbox').del();
  await db('outbox').del();
  smtp.messages.length = 0;
  await smtp.start();
});

describe('staff: email waiting or failed', () => {
  it('shows an email that failed after the last attempt, and a retry sends it (audited)', async () => {
    await smtp.stop();
    await enqueue('anna.bergstrom@kulturarvsdata.example');
    const worker = await createOutboxWorker({
      config,
      db,
      now: () => clock.now,
      logger,
      transport: smtpTransport(smtp.url),
    });
    await worker.deliverDue();
    clock.advance(MINUTE);
    expect(await worker.deliverDue()).toMatchObject({ failed: 1 });

    const agent = await staffAgent();
    const page = cheerio.load((await agent.get(mailPaths.staffOutbox).expect(200)).text);
    const row = page('[data-testid=email]');
    expect(row).toHaveLength(1);
    expect(row.attr('data-status')).toBe('failed');
    expect(row.text()).toContain('anna.bergstrom@kulturarvsdata.example');
    expect(row.text()).toContain('orderer-invitation');
    expect(row.text()).toContain('Misslyckades');
    expect(row.text()).toMatch(/ECONNREFUSED|connect/i);

    const form = row.find('form');
    const action = String(form.attr('action'));
    const csrf = String(form.find('input[name=_csrf]').val());
    const wakeUps = testApp.mail.wakeUps;
    await agent.post(action).type('form').send({}).expect(403);
    expect(testApp.mail.wakeUps).toBe(wakeUps);
    const retried = await agent.post(action).type('form').send({ _csrf: csrf }).expect(303);
    expect(retried.headers.location).toContain(mailPaths.staffOutbox);
    // A successful change asks for a delivery round at once (the retried email goes out without waiting a minute).
    await new Promise((resolve) => setImmediate(resolve));
    expect(testApp.mail.wakeUps).toBe(wakeUps + 1);
    const after = cheerio.load((await agent.get(String(retried.headers.location)).expect(200)).text);
    expect(after('[data-testid=retried]')).toHaveLength(1);
    expect(after('[data-testid=email]').attr('data-status')).toBe('pending');

    const audit = await db('audit_log')
      .where({ action: 'email.retried' })
      .first<{ actor_type: string; actor_role: string; subject_type: string; before: unknown } | undefined>(
        'actor_type',
        'actor_role',
        'subject_type',
        'before',
      );
    expect(audit).toMatchObject({ actor_type: 'person', actor_role: 'staff', subject_type: 'email' });
    expect(audit?.before).toMatchObject({ status: 'failed', attempts: 2 });

    await smtp.start();
    expect(await worker.deliverDue()).toMatchObject({ sent: 1 });
    await smtp.waitFor(1);
    const done = cheerio.load((await agent.get(mailPaths.staffOutbox).expect(200)).text);
    expect(done('[data-testid=email]')).toHaveLength(0);
    expect(done('[data-testid=no-emails]')).toHaveLength(1);
  });

  it('is for staff only, and refuses to retry an email that was sent', async () => {
    await enqueue('anna.bergstrom@kulturarvsdata.example');
    await db('outbox').update({ status: 'sent', sent_at: new Date(clock.now) });
    const { id } = await db('outbox').first<{ id: number }>('id');

    expect((await request(testApp.app).get(mailPaths.staffOutbox)).status).toBe(302);
    const administrator = request.agent(testApp.app);
    await loginWithEid(administrator, pin('administrator-all-codes'));
    await administrator.get(mailPaths.staffOutbox).expect(403);

    const agent = await staffAgent();
    const page = cheerio.load((await agent.get(mailPaths.staffOutbox).expect(200)).text);
    const csrf = String(page('input[name=_csrf]').first().val());
    await agent
      .post(pathTo(mailPaths.staffRetry, { emailId: String(id) }))
      .type('form')
      .send({ _csrf: csrf })
      .expect(404);
    expect((await db('outbox').first<{ status: string }>('status')).status).toBe('sent');
    expect(await db('audit_log').where({ action: 'email.retried', subject_id: String(id) })).toHaveLength(0);
  });
});

describe('the development mailbox', () => {
  it('lists what was delivered without SMTP_URL, newest first, and shows a message as it would be read', async () => {
    expect(config.mail.smtpUrl).toBeUndefined();
    await enqueue('anna.bergstrom@kulturarvsdata.example');
    clock.advance(MINUTE);
    await enqueue('mikko.virtanen@kulturarvsdata.example', 'en');
    const worker = await createOutboxWorker({ config, db, now: () => clock.now, logger });
    expect(await worker.deliverDue()).toMatchObject({ sent: 2 });

    const list = cheerio.load((await request(testApp.app).get(mailPaths.devMailbox).expect(200)).text);
    const rows = list('[data-testid=message]');
    expect(rows).toHaveLength(2);
    expect(rows.eq(0).text()).toContain('mikko.virtanen@kulturarvsdata.example');
    expect(rows.eq(0).text()).toContain('Confirm that you are the authorized orderer');
    expect(rows.eq(1).text()).toContain('Bekräfta att du är behörig beställare');

    const href = String(rows.eq(1).find('a').attr('href'));
    const message = cheerio.load((await request(testApp.app).get(href).expect(200)).text);
    expect(message('[data-testid=subject]').text()).toBe(
      'Bekräfta att du är behörig beställare för Myndigheten för kulturarvsdata',
    );
    expect(message('[data-testid=to]').text()).toBe('anna.bergstrom@kulturarvsdata.example');
    expect(message('[data-testid=text]').text()).toContain('Hej Anna Bergström!');
    expect(message('[data-testid=links] a').attr('href')).toBe(`${config.baseUrl}/bestallare/inbjudan/abc123`);

    const frame = message('iframe[data-testid=html]');
    expect(frame.attr('sandbox')).toBe('');
    const html = await request(testApp.app)
      .get(String(frame.attr('src')))
      .expect(200);
    expect(html.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    expect(html.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(cheerio.load(html.text)('title').text()).toContain('Bekräfta att du är behörig beställare');

    await request(testApp.app)
      .get(pathTo(mailPaths.devMailboxMessage, { messageId: '999999' }))
      .expect(404);
    await request(testApp.app).get('/dev-mail/not-a-number').expect(404);
  });

  it('does not exist in production', async () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://portal@db.internal/portal',
      SESSION_SECRET: 'a-real-secret-of-at-least-thirty-two-characters',
      SAML_IDP_METADATA: '/etc/portal/idp-metadata.xml',
      SAML_SP_SIGNING_KEY: '/etc/portal/sp-signing.key',
      SAML_SP_SIGNING_CERT: '/etc/portal/sp-signing.crt',
      SMTP_URL: 'smtp://mail.internal:25',
      BASE_URL: 'https://behorigheter.example.se',
    });
    const app = express();
    app.use(devMailboxRoutes({ db, config: production }));
    app.use((_req, res) => {
      res.status(404).send('not found');
    });
    expect(listRoutes(app)).toEqual([]);
    await request(app).get(mailPaths.devMailbox).expect(404);

    const development = express();
    development.use(devMailboxRoutes({ db, config }));
    expect(listRoutes(development).map((route) => route.path)).toContain(mailPaths.devMailbox);
  });
});
