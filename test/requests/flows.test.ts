import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { createMailRenderer } from '../../src/mail/render';
import { isMailTemplate } from '../../src/mail/templates';
import { pathTo, paths } from '../../src/paths';
import { requestsPaths } from '../../src/requests/paths';
import { itemValue } from '../../src/requests/schemas';
import { runAccessRequestExpiry } from '../../src/requests/service';
import { createI18n } from '../../src/web/i18n';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { demoIds, PIN, scopeFor, type DemoIds } from '../permissions/helpers';

const testApp = await buildTestApp();
const { db } = testApp;
await loadDemoData(db);
let ids: DemoIds;
beforeAll(async () => {
  ids = await demoIds(db);
});
beforeEach(async () => {
  await db('access_requests').delete();
  await db('outbox').delete();
});

const DAY = 24 * 60 * 60 * 1000;
const html = (response: Response) => cheerio.load(response.text);

async function loggedIn(key: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
  return agent;
}

async function token(agent: Agent, path: string): Promise<string> {
  const value = html(await agent.get(path).expect(200))('input[name=_csrf]')
    .first()
    .val();
  if (typeof value !== 'string') throw new Error('no token');
  return value;
}

async function post(agent: Agent, path: string, fields: Record<string, string | string[]>, from: string) {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: await token(agent, from), ...fields });
}

/** Sara (a user of 40101) asks for Filöverföring on 40101. */
async function saraAsks(sara: Agent, service = 'filoverforing', code = '40101'): Promise<Response> {
  return post(
    sara,
    requestsPaths.create,
    { items: [itemValue(ids.code(code), ids.service(service))], reason: 'Jag tar över lönefilerna.' },
    requestsPaths.create,
  );
}

async function requestRows(personKey: string) {
  return db('access_requests')
    .where('person_id', ids.person(personKey))
    .select<{ id: string; status: string; decided_at: Date | null; rejection_reason: string | null }[]>('*');
}

const outbox = () =>
  db('outbox')
    .orderBy('id')
    .select<{ template: string; recipient_person_id: string; data: Record<string, unknown> }[]>(
      'template',
      'recipient_person_id',
      'data',
    );

const renderer = createMailRenderer(await createI18n());

/** Renders an outbox row as the mail worker would (its data must match the template's schema); gives the text. */
async function rendered(mail: { template: string; data: Record<string, unknown> }, language: 'sv' | 'en' = 'sv') {
  if (!isMailTemplate(mail.template)) throw new Error(`unknown template ${mail.template}`);
  const message = await renderer.render(mail.template, language, mail.data);
  return `${message.subject}\n${message.text}`;
}

const auditOf = (action: string, subjectId: string) =>
  db('audit_log').where({ action, subject_id: subjectId }).select<{ employer_code_id: string }[]>('*');

describe('access requests', () => {
  it('lets a user ask, emails the administrators, and an administrator approves: granted, audited, emailed', async () => {
    const sara = await loggedIn('user-reporting');
    const start = html(await sara.get(paths.overview).expect(200));
    expect(start('[data-testid=my-requests-link]').attr('href')).toBe(requestsPaths.mine);
    const form = html(await sara.get(requestsPaths.create).expect(200));
    expect(form('fieldset.ds-fieldset legend').length).toBeGreaterThan(0);
    expect(form(`#item-${ids.code('40101')}-${ids.service('rapport-direkt')}`).attr('disabled')).toBeDefined();
    expect(form('label[for=reason]').length).toBe(1);

    const answer = await saraAsks(sara);
    expect(answer.status).toBe(303);
    const mine = html(await sara.get(String(answer.headers.location)).expect(200));
    expect(mine('[data-testid=request-row]').attr('data-status')).toBe('pending');
    const [row] = await requestRows('user-reporting');
    if (!row) throw new Error('no request');
    const submitted = await auditOf('access_request.submitted', row.id);
    expect(submitted.map((entry) => entry.employer_code_id)).toEqual([ids.code('40101')]);
    const mails = await outbox();
    expect(mails.map((mail) => mail.template)).toContain('access-request-submitted');
    expect(mails.map((mail) => mail.recipient_person_id)).toContain(ids.person('administrator-all-codes'));
    expect(mails.map((mail) => mail.recipient_person_id)).not.toContain(ids.person('administrator-north'));
    const toMaria = mails.find((mail) => mail.recipient_person_id === ids.person('administrator-all-codes'));
    if (!toMaria) throw new Error('no email to the administrator');
    const text = await rendered(toMaria);
    expect(text).toContain('Sara Karlsson');
    expect(text).toContain('40101: Filöverföring');
    expect(text).toContain('Jag tar över lönefilerna.');

    const maria = await loggedIn('administrator-all-codes');
    const users = html(await maria.get(paths.permissions.users).expect(200));
    expect(users('[data-testid=request-queue]').attr('href')).toBe(requestsPaths.queue);
    const queue = html(await maria.get(requestsPaths.queue).expect(200));
    expect(queue('[data-testid=queue-row]')).toHaveLength(1);
    await db('outbox').delete();
    const approved = await post(maria, pathTo(requestsPaths.approve, { requestId: row.id }), {}, requestsPaths.queue);
    expect(approved.status).toBe(303);

    expect((await requestRows('user-reporting'))[0]?.status).toBe('approved');
    const grant = await db('permissions')
      .where({ person_id: ids.person('user-reporting'), service_id: ids.service('filoverforing') })
      .whereNull('revoked_at')
      .first<{ id: string } | undefined>('id');
    if (!grant) throw new Error('not granted');
    expect(await auditOf('permission.granted', grant.id)).toHaveLength(1);
    expect(await auditOf('access_request.approved', row.id)).toHaveLength(1);
    expect((await outbox()).map((mail) => mail.template)).toEqual(['permission-changed']);
    const after = html(await sara.get(requestsPaths.mine).expect(200));
    expect(after('[data-testid=request-row]').attr('data-status')).toBe('approved');
    // the queue is empty again
    expect(html(await maria.get(requestsPaths.queue).expect(200))('[data-testid=queue-row]')).toHaveLength(0);
  });

  it('lets the administrator of a code the user never held approve: the request puts the user in reach', async () => {
    // Lars (user-finance) has permissions on 40101 and 40199 only; Nils administers 40102 only
    const lars = await loggedIn('user-finance');
    const asked = await post(
      lars,
      requestsPaths.create,
      { items: [itemValue(ids.code('40102'), ids.service('filoverforing'))], reason: 'Ny på kontoret i norr.' },
      requestsPaths.create,
    );
    expect(asked.status).toBe(303);
    const [row] = await requestRows('user-finance');
    if (!row) throw new Error('no request');
    const nils = await loggedIn('administrator-north');
    expect(html(await nils.get(requestsPaths.queue).expect(200))('[data-testid=queue-row]')).toHaveLength(1);
    const approved = await post(nils, pathTo(requestsPaths.approve, { requestId: row.id }), {}, requestsPaths.queue);
    expect(approved.status).toBe(303);
    const grant = await db('permissions')
      .where({
        person_id: ids.person('user-finance'),
        employer_code_id: ids.code('40102'),
        service_id: ids.service('filoverforing'),
      })
      .whereNull('revoked_at')
      .first<{ id: string } | undefined>('id');
    if (!grant) throw new Error('not granted');
    expect(await auditOf('permission.granted', grant.id)).toHaveLength(1);
    // once granted, the user is one of Nils's users like any other
    expect((await nils.get(pathTo(paths.permissions.user, { personId: ids.person('user-finance') }))).status).toBe(200);
  });

  it('rejects with a required reason and emails the user', async () => {
    const sara = await loggedIn('user-reporting');
    await saraAsks(sara, 'rapporter');
    const [row] = await requestRows('user-reporting');
    if (!row) throw new Error('no request');
    const maria = await loggedIn('administrator-all-codes');
    const path = pathTo(requestsPaths.reject, { requestId: row.id });
    const missing = await post(maria, path, { rejectionReason: '  ' }, requestsPaths.queue);
    expect(missing.status).toBe(422);
    const $ = html(missing);
    expect($('[data-testid=error-summary] a').attr('href')).toBe(`#rejectionReason-${row.id}`);
    expect((await requestRows('user-reporting'))[0]?.status).toBe('pending');

    await db('outbox').delete();
    expect((await post(maria, path, { rejectionReason: 'Inte i din roll.' }, requestsPaths.queue)).status).toBe(303);
    const [rejected] = await requestRows('user-reporting');
    expect(rejected?.status).toBe('rejected');
    expect(rejected?.rejection_reason).toBe('Inte i din roll.');
    expect(await auditOf('access_request.rejected', row.id)).toHaveLength(1);
    const mails = await outbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.template).toBe('access-request-rejected');
    expect(mails[0]?.recipient_person_id).toBe(ids.person('user-reporting'));
    expect(mails[0]?.data.reason).toBe('Inte i din roll.');
    const [mail] = mails;
    if (!mail) throw new Error('no email');
    expect(await rendered(mail)).toContain('Skäl: Inte i din roll.');
    const mine = html(await sara.get(requestsPaths.mine).expect(200));
    expect(mine('[data-testid=rejection-reason]').text()).toContain('Inte i din roll.');
  });

  it('refuses asking for what the user has, and asking twice for the same pending thing', async () => {
    const sara = await loggedIn('user-reporting');
    const held = await saraAsks(sara, 'rapport-direkt');
    expect(held.status).toBe(422);
    expect(html(held)('[data-testid=error-summary]').text()).toContain('redan');
    expect((await saraAsks(sara, 'rapporter')).status).toBe(303);
    const twice = await saraAsks(sara, 'rapporter');
    expect(twice.status).toBe(422);
    expect(await requestRows('user-reporting')).toHaveLength(1);
    const empty = await post(sara, requestsPaths.create, { reason: 'x' }, requestsPaths.create);
    expect(empty.status).toBe(422);
    const tooLong = await post(
      sara,
      requestsPaths.create,
      { items: [itemValue(ids.code('40101'), ids.service('fakturaspecifikationer'))], reason: 'a'.repeat(501) },
      requestsPaths.create,
    );
    expect(tooLong.status).toBe(422);
    expect(await requestRows('user-reporting')).toHaveLength(1);
  });

  it('refuses an administrator approving its own request, with a clear message', async () => {
    const johan = await loggedIn('administrator-north');
    expect((await saraAsks(johan, 'rapporter', '40102')).status).toBe(303);
    const [row] = await requestRows('administrator-north');
    if (!row) throw new Error('no request');
    const queue = html(await johan.get(requestsPaths.queue).expect(200));
    expect(queue('[data-testid=own-request]')).toHaveLength(1);
    expect(queue('[data-testid=approve-form]')).toHaveLength(0);
    const refused = await post(johan, pathTo(requestsPaths.approve, { requestId: row.id }), {}, requestsPaths.queue);
    expect(refused.status).toBe(403);
    expect(html(refused)('[data-testid=refusal]').text()).toContain('din egen förfrågan');
    expect((await requestRows('administrator-north'))[0]?.status).toBe('pending');
    expect(await auditOf('access_request.approved', row.id)).toHaveLength(0);
  });

  it('expires requests: not approvable once past their time, then marked by the job, audited and emailed', async () => {
    const sara = await loggedIn('user-reporting');
    await saraAsks(sara, 'fakturaspecifikationer');
    const [row] = await requestRows('user-reporting');
    if (!row) throw new Error('no request');
    testApp.clock.advance(31 * DAY);
    try {
      // the session has timed out too at this clock: ask the service, as the page handlers do
      const late = await testApp.services.requests.decide(
        scopeFor(ids, 'administrator-all-codes', 'administrator'),
        row.id,
        { kind: 'approve' },
      );
      expect(late.status).toBe('expired');
      expect((await requestRows('user-reporting'))[0]?.status).toBe('pending');
      const mine = await testApp.services.requests.mine(ids.person('user-reporting'), ids.employerId);
      expect(mine.map((entry) => entry.status)).toEqual(['expired']);
      const queue = await testApp.services.requests.queue(scopeFor(ids, 'administrator-all-codes', 'administrator'));
      expect(queue).toHaveLength(0);

      await db('outbox').delete();
      const run = await runAccessRequestExpiry(db, { baseUrl: testApp.config.baseUrl }, new Date(testApp.clock.now));
      expect(run.expired).toBe(1);
      expect((await requestRows('user-reporting'))[0]?.status).toBe('expired');
      expect(await auditOf('access_request.expired', row.id)).toHaveLength(1);
      expect((await outbox()).map((mail) => mail.template)).toEqual(['access-request-expired']);
      const [expiredMail] = await outbox();
      if (!expiredMail) throw new Error('no email');
      expect(await rendered(expiredMail)).toContain('har gått ut');
      expect((await runAccessRequestExpiry(db, testApp.config, new Date(testApp.clock.now))).expired).toBe(0);
    } finally {
      testApp.clock.advance(-31 * DAY);
    }
  });

  it('lets exactly one of two administrators deciding at once win', async () => {
    const created = await testApp.services.requests.submit(
      { type: 'person', personId: ids.person('user-reporting'), role: 'user', requestId: undefined },
      ids.employerId,
      { items: [{ codeId: ids.code('40101'), serviceId: ids.service('rapporter') }], reason: 'Behöver rapporter.' },
    );
    expect(created.status).toBe('submitted');
    const [row] = await requestRows('user-reporting');
    if (!row) throw new Error('no request');
    const results = await Promise.all([
      testApp.services.requests.decide(scopeFor(ids, 'administrator-all-codes', 'administrator'), row.id, {
        kind: 'approve',
      }),
      testApp.services.requests.decide(scopeFor(ids, 'orderer', 'orderer'), row.id, {
        kind: 'reject',
        reason: 'Nej.',
      }),
    ]);
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual(['decided', 'done']);
    const decisions = [
      ...(await auditOf('access_request.approved', row.id)),
      ...(await auditOf('access_request.rejected', row.id)),
    ];
    expect(decisions).toHaveLength(1);
  });
});
