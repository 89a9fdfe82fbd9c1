import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { runExpiryCheck, type ExpirySettings } from '../../src/jobs/expiry';
import { createMailRenderer } from '../../src/mail/render';
import { isMailTemplate } from '../../src/mail/templates';
import { createI18n } from '../../src/web/i18n';
import { endMomentOf, stockholmDay } from '../../src/permissions/end-date';
import { permissionsPaths } from '../../src/permissions/paths';
import { paths, pathTo } from '../../src/paths';
import { bearer, evaluation, newClientToken } from '../api/helpers';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { demoIds, PIN, scopeFor, type DemoIds } from '../permissions/helpers';

const testApp = await buildTestApp();
const { db, config } = testApp;
await loadDemoData(db);
const DAY = 86_400_000;
const start = testApp.clock.now;
const settings: ExpirySettings = { ...config.expiry, baseUrl: config.baseUrl };
const renderer = createMailRenderer(await createI18n());
let ids: DemoIds;
let apiToken: string;
beforeAll(async () => {
  ids = await demoIds(db);
  apiToken = await newClientToken(testApp, 'Rapport direkt');
});

const html = (response: Response) => cheerio.load(response.text);
const dayIn = (days: number) => stockholmDay(new Date(start + days * DAY));

async function loggedIn(key: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
  return agent;
}

async function post(agent: Agent, path: string, fields: Record<string, string>): Promise<Response> {
  const page = html(await agent.get(path.replace(/\/[^/]+$/, '')).expect(200));
  const token = page('input[name=_csrf]').first().val();
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: String(token), ...fields });
}

interface Sent {
  to: string;
  template: string;
  data: Record<string, unknown>;
}

/** Runs the job at `at` and gives what it put in the outbox in that run, by recipient. */
async function runAt(at: number): Promise<Sent[]> {
  const before = await db('outbox').max<{ max: number | null }>('id as max').first();
  await runExpiryCheck(db, settings, new Date(at));
  const rows = await db('outbox')
    .where('id', '>', before?.max ?? 0)
    .orderBy(['recipient_email', 'template'])
    .select<{ recipient_email: string; template: string; data: Record<string, unknown> }[]>(
      'recipient_email',
      'template',
      'data',
    );
  // every email renders (its data matches the template's schema) in both languages
  for (const row of rows) {
    if (!isMailTemplate(row.template)) throw new Error(row.template);
    for (const language of ['sv', 'en'] as const) await renderer.render(row.template, language, row.data);
  }
  return rows.map((row) => ({ to: row.recipient_email, template: row.template, data: row.data }));
}

async function decision(serviceKey: string, code: string): Promise<boolean> {
  const response = await request(testApp.app)
    .post('/access/v1/evaluation')
    .set(bearer(apiToken))
    .send(evaluation(PIN['user-reporting'] ?? '', serviceKey, code))
    .expect(200);
  return (response.body as { decision: boolean }).decision;
}

function permissionRow() {
  return db('permissions')
    .where({
      person_id: ids.person('user-reporting'),
      employer_code_id: ids.code('40102'),
      service_id: ids.service('visa-anstallning'),
    })
    .orderBy('granted_at', 'desc')
    .first<
      { id: string; expires_at: Date | null; revoked_at: Date | null; revoked_by_person_id: string | null } | undefined
    >();
}

describe('a time-limited permission', () => {
  let userPage: string;
  const first = dayIn(20);
  const last = dayIn(30);
  const grantFields = () => ({ codeId: ids.code('40102'), serviceId: ids.service('visa-anstallning') });
  const fieldId = () => `validUntil-${ids.code('40102')}-${ids.service('visa-anstallning')}`;

  it('refuses a malformed or past end date with the error summary, storing nothing', async () => {
    userPage = pathTo(permissionsPaths.user, { personId: ids.person('user-reporting') });
    const johan = await loggedIn('administrator-north');
    const grantPath = pathTo(permissionsPaths.grant, { personId: ids.person('user-reporting') });
    for (const [typed, message] of [
      ['2026-02-30', 'Skriv ett datum som finns, som ÅÅÅÅ-MM-DD'],
      ['31/12', 'Skriv ett datum som finns, som ÅÅÅÅ-MM-DD'],
      [dayIn(-1), 'Datumet måste vara tidigast i morgon'],
      [dayIn(0), 'Datumet måste vara tidigast i morgon'],
    ] as const) {
      const response = await post(johan, grantPath, { ...grantFields(), validUntil: typed });
      expect(response.status).toBe(422);
      const $ = html(response);
      const summary = $('[data-testid=error-summary] a');
      expect(summary.text()).toBe(message);
      expect(summary.attr('href')).toBe(`#${fieldId()}`);
      const field = $(`#${fieldId()}`);
      expect(field.attr('aria-invalid')).toBe('true');
      expect(field.val()).toBe(typed);
      expect(field.attr('aria-describedby')).toContain(`${fieldId()}-error`);
      expect($(`label[for="${fieldId()}"]`).text()).toContain('Giltig till och med');
      expect($('title').text()).toMatch(/^Fel: /);
    }
    expect(await permissionRow()).toBeUndefined();
  });

  it('is granted with an end date: the end of that day in Swedish time, audited, shown to both', async () => {
    const johan = await loggedIn('administrator-north');
    const grantPath = pathTo(permissionsPaths.grant, { personId: ids.person('user-reporting') });
    const response = await post(johan, grantPath, { ...grantFields(), validUntil: first });
    expect(response.status).toBe(302);
    const row = await permissionRow();
    expect(row?.expires_at?.toISOString()).toBe(endMomentOf(first).toISOString());
    const audit = await db('audit_log')
      .where({ action: 'permission.granted', subject_id: row?.id })
      .first<{ after: { expiresAt?: string } }>('after');
    expect(audit.after.expiresAt).toBe(endMomentOf(first).toISOString());
    const email = await db('outbox')
      .where({ template: 'permission-changed' })
      .orderBy('id', 'desc')
      .first<{ data: Record<string, unknown> }>('data');
    expect(email.data.validUntil).toBe(first);
    const rendered = await renderer.render('permission-changed', 'sv', email.data);
    expect(rendered.text).toContain(`Behörigheten gäller till och med ${first}.`);

    const $ = html(await johan.get(userPage).expect(200));
    const cell = $('[data-testid=service-row][data-service=visa-anstallning]').first();
    expect(cell.find('[data-testid=valid-until]').text()).toBe(first);

    const sara = await loggedIn('user-reporting');
    const start$ = html(await sara.get(paths.overview).expect(200));
    expect(start$('[data-testid=valid-until]').text()).toContain(first);
  });

  it('has its end date changed by the administrator, audited, and cleared and set again', async () => {
    const johan = await loggedIn('administrator-north');
    const endDatePath = pathTo(permissionsPaths.endDate, { personId: ids.person('user-reporting') });
    expect((await post(johan, endDatePath, { ...grantFields(), validUntil: '' })).status).toBe(302);
    expect((await permissionRow())?.expires_at).toBeNull();
    expect((await post(johan, endDatePath, { ...grantFields(), validUntil: last })).status).toBe(302);
    const row = await permissionRow();
    expect(row?.expires_at?.toISOString()).toBe(endMomentOf(last).toISOString());
    const changes = await db('audit_log')
      .where({ action: 'permission.end_date_changed', subject_id: row?.id })
      .orderBy('id')
      .select<{ before: { expiresAt: string | null }; after: { expiresAt: string | null } }[]>('before', 'after');
    expect(changes.map((change) => [change.before.expiresAt, change.after.expiresAt])).toEqual([
      [endMomentOf(first).toISOString(), null],
      [null, endMomentOf(last).toISOString()],
    ]);
    const bad = await post(johan, endDatePath, { ...grantFields(), validUntil: 'i morgon' });
    expect(bad.status).toBe(422);
  });

  it('is reminded of once, EXPIRY_REMINDER_DAYS before the end, to the user and the code’s administrators', async () => {
    const end = endMomentOf(last).getTime();
    expect(await runAt(end - 15 * DAY)).toEqual([]);
    const sent = await runAt(end - 14 * DAY);
    expect(sent.map((email) => [email.to, email.template])).toEqual([
      ['johan.andersson@kulturarvsdata.example', 'permission-expiry-administrators'],
      ['maria.nilsson@kulturarvsdata.example', 'permission-expiry-administrators'],
      ['sara.karlsson@kulturarvsdata.example', 'permission-expiry-reminder'],
    ]);
    expect(sent[2]?.data).toMatchObject({ code: '40102', services: [{ validUntil: last }] });
    expect(sent[0]?.data).toMatchObject({ users: [{ name: 'Sara Karlsson', code: '40102', validUntil: last }] });
    expect(await runAt(end - 13 * DAY)).toEqual([]);
    expect(await runAt(end - 1)).toEqual([]);
  });

  it('is denied by the decision API from the end moment, before the job has run', async () => {
    const end = endMomentOf(last).getTime();
    testApp.clock.now = end - 1;
    expect(await decision('visa-anstallning', '40102')).toBe(true);
    testApp.clock.now = end;
    expect(await decision('visa-anstallning', '40102')).toBe(false);
    expect(await decision('rapport-direkt', '40102')).toBe(true);
    expect((await permissionRow())?.revoked_at).toBeNull();
  });

  it('is ended by the job at the end date: revoked at the end moment, audited by the system, emailed once', async () => {
    const end = endMomentOf(last).getTime();
    const sent = await runAt(end + 5 * 60_000);
    expect(sent.map((email) => [email.to, email.template])).toEqual([
      ['sara.karlsson@kulturarvsdata.example', 'permission-expired'],
    ]);
    expect(sent[0]?.data).toMatchObject({ code: '40102', services: ['Visa anställning'] });
    const row = await permissionRow();
    expect(row?.revoked_at?.getTime()).toBe(end);
    expect(row?.revoked_by_person_id).toBeNull();
    const audits = await db('audit_log')
      .where({ action: 'permission.expired' })
      .select<{ actor_type: string; employer_code_id: string; subject_id: string; before: unknown }[]>(
        'actor_type',
        'employer_code_id',
        'subject_id',
        'before',
      );
    expect(audits).toEqual([
      {
        actor_type: 'system',
        employer_code_id: ids.code('40102'),
        subject_id: ids.person('user-reporting'),
        before: {
          personId: ids.person('user-reporting'),
          code: '40102',
          permissions: [{ id: row?.id, service: 'visa-anstallning', expiresAt: new Date(end).toISOString() }],
        },
      },
    ]);
    expect(await runAt(end + DAY)).toEqual([]);
    expect(await decision('visa-anstallning', '40102')).toBe(false);
  });
});

describe('a changed end date', () => {
  it('is reminded of again, once', async () => {
    testApp.clock.now = start;
    const scope = scopeFor(ids, 'administrator-all-codes', 'administrator');
    const target = {
      personId: ids.person('user-finance'),
      codeId: ids.code('40102'),
      serviceId: ids.service('rapporter'),
    };
    const granted = await testApp.services.permissions.grant(scope, target.personId, target.codeId, target.serviceId, {
      expiresAt: endMomentOf(dayIn(10)),
    });
    expect(granted.status).toBe('changed');
    const reminders = (sent: Sent[]) =>
      sent.filter((email) => email.template === 'permission-expiry-reminder').map((email) => email.to);
    expect(reminders(await runAt(start))).toEqual(['mikko.virtanen@kulturarvsdata.example']);
    expect(reminders(await runAt(start + DAY))).toEqual([]);
    const changed = await testApp.services.permissions.setEndDate(scope, target, endMomentOf(dayIn(12)));
    expect(changed.status).toBe('changed');
    expect(reminders(await runAt(start + DAY))).toEqual(['mikko.virtanen@kulturarvsdata.example']);
    expect(reminders(await runAt(start + 2 * DAY))).toEqual([]);
    const past = await testApp.services.permissions.setEndDate(scope, target, new Date(start - DAY));
    expect(past.status).toBe('invalid');
  });
});
