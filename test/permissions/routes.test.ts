import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { permissionsPaths } from '../../src/permissions/paths';
import { pathTo } from '../../src/paths';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { counts, demoIds, PIN, type DemoIds } from './helpers';

const testApp = await buildTestApp();
const { db } = testApp;
await loadDemoData(db);
let ids: DemoIds;
beforeAll(async () => {
  ids = await demoIds(db);
});

/** A 12-digit personal identity number anywhere in the text, with or without a separator. */
const FULL_PIN = /(?<!\d)(?:19|20)\d{6}[-+]?\d{4}(?!\d)/;

async function loggedIn(key: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, PIN[key] ?? '')).status).toBe(302);
  return agent;
}

const html = (response: Response) => cheerio.load(response.text);

async function token(agent: Agent, path: string = permissionsPaths.users): Promise<string> {
  const value = html(await agent.get(path).expect(200))('input[name=_csrf]')
    .first()
    .val();
  if (typeof value !== 'string') throw new Error('no token');
  return value;
}

async function post(agent: Agent, path: string, fields: Record<string, string | string[]>): Promise<Response> {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: await token(agent), ...fields });
}

function userNames($: cheerio.CheerioAPI): string[] {
  return $('[data-testid=user-row] th')
    .map((_, cell) => $(cell).text().trim())
    .get();
}

describe('the users overview', () => {
  it('shows an administrator the users of its codes, numbers masked', async () => {
    const johan = await loggedIn('administrator-north');
    const response = await johan.get(permissionsPaths.users).expect(200);
    const $ = html(response);
    expect($('h1')).toHaveLength(1);
    expect(userNames($)).toEqual(['Gunnel Holm', 'Lars Persson', 'Sara Karlsson']);
    expect($('[data-testid=masked-pin]').first().text()).toBe('19121205-****');
    expect($('main').text()).not.toMatch(FULL_PIN);
    expect($('table.ds-table th[scope=col]').length).toBeGreaterThan(3);
  });

  it('shows the orderer every user', async () => {
    const anna = await loggedIn('orderer');
    const $ = html(await anna.get(permissionsPaths.users).expect(200));
    expect(userNames($)).toEqual(['Gunnel Holm', 'Lars Persson', 'Mikko Virtanen', 'Sara Karlsson']);
  });

  it('is refused to a user who administers nothing', async () => {
    const sara = await loggedIn('user-reporting');
    await sara.get(permissionsPaths.users).expect(403);
  });

  it('searches by a posted identity number kept out of every URL', async () => {
    const maria = await loggedIn('administrator-all-codes');
    const answer = await post(maria, permissionsPaths.search, { q: '19121207-2423', kod: '', tjanst: '' }).then(
      (r) => r,
    );
    expect(answer.status).toBe(302);
    expect(String(answer.headers.location)).not.toMatch(/\d{6}/);
    const $ = html(await maria.get(String(answer.headers.location)).expect(200));
    expect(userNames($)).toEqual(['Sara Karlsson']);
    $('a[href]').each((_, link) => {
      expect(String($(link).attr('href'))).not.toMatch(FULL_PIN);
    });
  });

  it('filters on inactive users at ?visa=inaktiva, with a bulk removal form', async () => {
    const maria = await loggedIn('administrator-all-codes');
    const $ = html(await maria.get(`${permissionsPaths.users}?visa=inaktiva`).expect(200));
    expect(userNames($)).toEqual(['Gunnel Holm']);
    expect($('[data-testid=bulk-remove] input[name=personIds]').val()).toBe(ids.person('user-inactive'));
  });

  it('answers 403 to a code filter outside the administrator’s codes', async () => {
    const johan = await loggedIn('administrator-north');
    await johan.get(`${permissionsPaths.users}?kod=${ids.code('40101')}`).expect(403);
  });
});

describe('the CSV export', () => {
  it('is an attachment in UTF-8 with a BOM and `;`', async () => {
    const johan = await loggedIn('administrator-north');
    const response = await johan
      .get(permissionsPaths.export)
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
        });
        res.on('end', () => {
          callback(null, Buffer.concat(chunks));
        });
      })
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="?anvandare\.csv"?$/);
    const text = (response.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'Namn;Personnummer;E-postadress;Senast inloggad;Inaktiv;Arbetsgivarkod;Behörigheter;Giltig till och med',
    );
    expect(lines).toHaveLength(5);
    expect(text).not.toMatch(FULL_PIN);
  });
});

describe('changes through the pages', () => {
  it('grants and removes a permission, redirecting with a message, and says so when nothing changed', async () => {
    const johan = await loggedIn('administrator-north');
    const userPath = pathTo(permissionsPaths.user, { personId: ids.person('user-payroll') });
    const fields = { codeId: ids.code('40102'), serviceId: ids.service('rapporter') };
    const granted = await post(johan, pathTo(permissionsPaths.grant, { personId: ids.person('user-payroll') }), fields);
    expect(granted.status).toBe(302);
    expect(granted.headers.location).toBe(userPath);
    let $ = html(await johan.get(userPath).expect(200));
    expect($('[data-testid=flash]').attr('data-kind')).toBe('success');
    expect($('[data-testid=service-row][data-service=rapporter]').attr('data-granted')).toBe('true');
    const before = await counts(db);
    expect(
      (await post(johan, pathTo(permissionsPaths.grant, { personId: ids.person('user-payroll') }), fields)).status,
    ).toBe(302);
    $ = html(await johan.get(userPath).expect(200));
    expect($('[data-testid=flash]').attr('data-kind')).toBe('info');
    expect(await counts(db)).toEqual(before);
    expect(
      (await post(johan, pathTo(permissionsPaths.revoke, { personId: ids.person('user-payroll') }), fields)).status,
    ).toBe(302);
    $ = html(await johan.get(userPath).expect(200));
    expect($('[data-testid=service-row][data-service=rapporter]').attr('data-granted')).toBe('false');
  });

  it('answers 403 to crafted posts naming a code or a person outside the administrator’s reach, audited', async () => {
    const johan = await loggedIn('administrator-north');
    const before = await counts(db);
    const [last] = await db('audit_log').max<{ max: number }[]>({ max: 'id' });
    const sara = ids.person('user-reporting');
    const mikko = ids.person('user-finance');
    const code40101 = { codeId: ids.code('40101'), serviceId: ids.service('rapporter') };
    expect((await post(johan, pathTo(permissionsPaths.grant, { personId: sara }), code40101)).status).toBe(403);
    expect((await post(johan, pathTo(permissionsPaths.revoke, { personId: sara }), code40101)).status).toBe(403);
    const fromCode = await post(johan, pathTo(permissionsPaths.removeFromCode, { personId: sara }), {
      codeId: ids.code('40101'),
    });
    expect(fromCode.status).toBe(403);
    expect((await post(johan, pathTo(permissionsPaths.removeFromEmployer, { personId: mikko }), {})).status).toBe(403);
    expect((await post(johan, permissionsPaths.removeInactive, { personIds: [mikko] })).status).toBe(403);
    await johan.get(pathTo(permissionsPaths.user, { personId: mikko })).expect(403);
    expect(
      (
        await post(johan, permissionsPaths.newUser, {
          personalIdentityNumber: '19850709-9805',
          name: 'Eva Ek',
          email: 'eva.ek@example.org',
          grants: `${ids.code('40101')}:${ids.service('rapporter')}`,
        })
      ).status,
    ).toBe(403);
    expect(await counts(db)).toEqual(before);
    const refusals = await db('audit_log')
      .where('id', '>', last?.max ?? 0)
      .where({ action: 'access.refused', actor_person_id: ids.person('administrator-north') })
      .pluck('after');
    expect(refusals.map((after: { request: string }) => after.request)).toEqual([
      `POST ${permissionsPaths.grant}`,
      `POST ${permissionsPaths.revoke}`,
      `POST ${permissionsPaths.removeFromCode}`,
      `POST ${permissionsPaths.removeFromEmployer}`,
      `POST ${permissionsPaths.removeInactive}`,
      `GET ${permissionsPaths.user}`,
      `POST ${permissionsPaths.newUser}`,
    ]);
  });

  it('shows the add-user form again with an error summary and the input kept (422), storing nothing', async () => {
    const maria = await loggedIn('administrator-all-codes');
    const form = html(await maria.get(permissionsPaths.newUser).expect(200));
    expect(form('fieldset.ds-fieldset legend')).toHaveLength(3);
    const before = await counts(db);
    const response = await post(maria, permissionsPaths.newUser, {
      personalIdentityNumber: '19850709-9806',
      name: 'Eva Ek',
      email: 'not-an-address',
    });
    expect(response.status).toBe(422);
    const $ = html(response);
    expect(
      $('[data-testid=error-summary] a')
        .map((_, link) => $(link).attr('href'))
        .get(),
    ).toEqual(['#personalIdentityNumber', '#email', '#grants']);
    expect($('#name').val()).toBe('Eva Ek');
    expect($('#grants')).toHaveLength(1);
    expect(await counts(db)).toEqual(before);
  });

  it('adds a user and goes to their page', async () => {
    const maria = await loggedIn('administrator-all-codes');
    const response = await post(maria, permissionsPaths.newUser, {
      personalIdentityNumber: '19850709-9805',
      name: 'Eva Ek',
      email: 'eva.ek@example.org',
      grants: [`${ids.code('40101')}:${ids.service('rapporter')}`, `${ids.code('40102')}:${ids.service('rapporter')}`],
    });
    expect(response.status).toBe(302);
    const eva = await db('persons').where({ personal_identity_number: '198507099805' }).first<{ id: string }>('id');
    expect(response.headers.location).toBe(pathTo(permissionsPaths.user, { personId: eva.id }));
    const $ = html(await maria.get(String(response.headers.location)).expect(200));
    expect($('h1').text()).toBe('Eva Ek');
    expect($('[data-testid=service-row][data-granted=true]')).toHaveLength(2);
  });

  it('removes the ticked inactive users from the overview', async () => {
    const maria = await loggedIn('administrator-all-codes');
    const response = await post(maria, permissionsPaths.removeInactive, { personIds: [ids.person('user-inactive')] });
    expect(response.status).toBe(302);
    const $ = html(await maria.get(String(response.headers.location)).expect(200));
    expect($('[data-testid=flash]').attr('data-kind')).toBe('success');
    expect(userNames($)).toEqual([]);
    const mail = await db('outbox')
      .where({ recipient_person_id: ids.person('user-inactive') })
      .first<{ template: string } | undefined>('template');
    expect(mail).toMatchObject({ template: 'user-removed' });
  });
});
