import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { administratorsPaths } from '../../src/administrators/paths';
import { loadDemoData } from '../../src/demo/seed';
import { runExpiryCheck } from '../../src/jobs/expiry';
import { endMomentOf, stockholmDay } from '../../src/permissions/end-date';
import { permissionsPaths } from '../../src/permissions/paths';
import { pathTo } from '../../src/paths';
import { personalIdentityNumber } from '../db/fixtures';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { demoIds, PIN, type DemoIds } from '../permissions/helpers';

const testApp = await buildTestApp();
const { db, config } = testApp;
await loadDemoData(db);
const DAY = 86_400_000;
const start = testApp.clock.now;
let ids: DemoIds;
beforeAll(async () => {
  ids = await demoIds(db);
});

const html = (response: Response) => cheerio.load(response.text);
const dayIn = (days: number) => stockholmDay(new Date(start + days * DAY));

async function loggedIn(key: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
  return agent;
}

async function postForm(agent: Agent, path: string, fields: Record<string, string | string[]>): Promise<Response> {
  const token = html(await agent.get(path).expect(200))('input[name=_csrf]')
    .first()
    .val();
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: String(token), ...fields });
}

async function outboxAfter(run: () => Promise<unknown>): Promise<{ to: string; template: string }[]> {
  const before = await db('outbox').max<{ max: number | null }>('id as max').first();
  await run();
  const rows = await db('outbox')
    .where('id', '>', before?.max ?? 0)
    .orderBy('recipient_email')
    .select<{ recipient_email: string; template: string }[]>('recipient_email', 'template');
  return rows.map((row) => ({ to: row.recipient_email, template: row.template }));
}

describe('a time-limited administrator appointment', () => {
  const end = dayIn(40);
  const allCodes = () => [ids.code('40101'), ids.code('40102'), ids.code('40199')];
  const changePath = () => pathTo(administratorsPaths.change, { personId: ids.person('administrator-all-codes') });

  it('refuses a past or malformed end date on the change page with the error summary', async () => {
    const anna = await loggedIn('orderer');
    for (const typed of [dayIn(-3), '2027-13-01']) {
      const response = await postForm(anna, changePath(), { codes: allCodes(), validUntil: typed });
      expect(response.status).toBe(422);
      const $ = html(response);
      expect($('[data-testid=error-summary] a').attr('href')).toBe('#validUntil');
      expect($('#validUntil').attr('aria-invalid')).toBe('true');
      expect($('#validUntil').val()).toBe(typed);
    }
    const rows = await db('role_assignments').whereNotNull('valid_until');
    expect(rows).toEqual([]);
  });

  it('is set by the orderer, audited per code, with a warning for the codes it would leave without one', async () => {
    const anna = await loggedIn('orderer');
    const response = await postForm(anna, changePath(), { codes: allCodes(), validUntil: end });
    expect(response.status).toBe(302);
    const rows = await db('role_assignments')
      .where({ person_id: ids.person('administrator-all-codes'), role: 'administrator' })
      .whereNull('revoked_at')
      .select<{ valid_until: Date | null }[]>('valid_until');
    expect(rows.map((row) => row.valid_until?.toISOString())).toEqual(
      Array(3).fill(endMomentOf(end).toISOString()) as string[],
    );
    const audits = await db('audit_log').where({ action: 'administrator.end_date_changed' }).select('employer_code_id');
    expect(audits).toHaveLength(3);
    const $ = html(await anna.get(administratorsPaths.list).expect(200));
    const flash = $('[data-testid=flash]').text();
    expect(flash).toContain(`Maria Nilsson är administratör till och med ${end}.`);
    expect(flash).toContain('arbetsgivarkod 40101, 40199 ingen administratör');
    expect(flash).not.toContain('Inget ändrades');
    expect($('[data-testid=valid-until]').first().text()).toContain(end);
    const page = html(await anna.get(changePath()).expect(200));
    expect(page('#validUntil').val()).toBe(end);
  });

  it('is reminded of once and ended by the job, flagging the codes left without an administrator', async () => {
    const settings = { ...config.expiry, baseUrl: config.baseUrl };
    const moment = endMomentOf(end).getTime();
    expect(await outboxAfter(() => runExpiryCheck(db, settings, new Date(moment - 15 * DAY)))).toEqual([]);
    expect(await outboxAfter(() => runExpiryCheck(db, settings, new Date(moment - 14 * DAY)))).toEqual([
      { to: 'maria.nilsson@kulturarvsdata.example', template: 'appointment-expiry-reminder' },
    ]);
    expect(await outboxAfter(() => runExpiryCheck(db, settings, new Date(moment - DAY)))).toEqual([]);

    let run: Awaited<ReturnType<typeof runExpiryCheck>> | undefined;
    const sent = await outboxAfter(async () => {
      run = await runExpiryCheck(db, settings, new Date(moment + 60_000));
    });
    expect(sent).toEqual([{ to: 'maria.nilsson@kulturarvsdata.example', template: 'appointment-expired' }]);
    expect(run?.appointmentsEnded).toBe(3);
    expect(run?.codesWithoutAdministrator).toEqual(['40101', '40199']);
    const audits = await db('audit_log')
      .where({ action: 'administrator.expired' })
      .orderBy('id')
      .select<{ actor_type: string; after: { codeWithoutAdministrator?: string } }[]>('actor_type', 'after');
    expect(audits.map((row) => [row.actor_type, row.after.codeWithoutAdministrator])).toEqual([
      ['system', '40101'],
      ['system', undefined],
      ['system', '40199'],
    ]);
    testApp.clock.now = moment + 60_000;
    const overview = await testApp.services.administrators.overview(ids.employerId);
    expect(overview.filter((entry) => entry.administrators.length === 0).map((entry) => entry.code.code)).toEqual([
      '40101',
      '40199',
    ]);
  });
});

describe('the add-user form with an end date', () => {
  it('grants every ticked permission until the end of the day, shown on the overview', async () => {
    testApp.clock.now = start;
    const johan = await loggedIn('administrator-north');
    const until = dayIn(10);
    const pin = personalIdentityNumber();
    const response = await postForm(johan, permissionsPaths.newUser, {
      personalIdentityNumber: pin,
      name: 'Tora Tidsbegränsad',
      email: 'tora@example.org',
      grants: [`${ids.code('40102')}:${ids.service('rapport-direkt')}`],
      validUntil: until,
    });
    expect(response.status).toBe(302);
    const row = await db('permissions as p')
      .join('persons as u', 'u.id', 'p.person_id')
      .where('u.display_name', 'Tora Tidsbegränsad')
      .first<{ expires_at: Date | null }>('p.expires_at');
    expect(row.expires_at?.toISOString()).toBe(endMomentOf(until).toISOString());
    const $ = html(await johan.get(permissionsPaths.users).expect(200));
    expect($('[data-testid=code-grants]').text()).toContain(`giltig till och med ${until}`);

    const refused = await postForm(johan, permissionsPaths.newUser, {
      personalIdentityNumber: pin,
      name: 'Tora Tidsbegränsad',
      email: 'tora@example.org',
      grants: [`${ids.code('40102')}:${ids.service('visa-anstallning')}`],
      validUntil: dayIn(-1),
    });
    expect(refused.status).toBe(422);
    expect(html(refused)('[data-testid=error-summary] a').attr('href')).toBe('#validUntil');
  });
});

describe('the appoint form with an end date', () => {
  it('appoints until the end of the day and warns that the code will then have no administrator', async () => {
    testApp.clock.now = start;
    const anna = await loggedIn('orderer');
    const until = dayIn(5);
    const response = await postForm(anna, administratorsPaths.appoint, {
      personalIdentityNumber: personalIdentityNumber(),
      name: 'Vilma Vikarie',
      email: 'vilma@example.org',
      phone: '',
      codes: [ids.code('40101')],
      validUntil: until,
    });
    expect(response.status).toBe(302);
    const row = await db('role_assignments as r')
      .join('persons as p', 'p.id', 'r.person_id')
      .where('p.display_name', 'Vilma Vikarie')
      .first<{ valid_until: Date | null }>('r.valid_until');
    expect(row.valid_until?.toISOString()).toBe(endMomentOf(until).toISOString());
    const flash = html(await anna.get(administratorsPaths.list).expect(200))('[data-testid=flash]').text();
    expect(flash).toContain(`Vilma Vikarie är administratör till och med ${until}.`);
    expect(flash).toContain('arbetsgivarkod 40101 ingen administratör');
  });
});
