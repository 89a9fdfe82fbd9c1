import type { Agent } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { administratorsPaths } from '../../src/administrators/paths';
import { loadDemoData } from '../../src/demo/seed';
import { pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { personalIdentityNumber } from '../db/fixtures';
import {
  administeredCodes,
  administratorCount,
  auditRows,
  blockAssignments,
  codeId,
  outbox,
  personId,
  PIN,
} from './fixtures';
import { errorSummary, html, loggedIn, post } from './helpers';

describe('appointing, changing and removing administrators', () => {
  let testApp: TestApp;
  let orderer: Agent;
  let delegate: Agent;
  const code = (value: string) => codeId(testApp.db, value);

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    orderer = await loggedIn(testApp, PIN.orderer);
    delegate = await loggedIn(testApp, PIN.delegate);
  });

  it('shows the appoint form with every code checked, in a fieldset', async () => {
    const $ = html(await orderer.get(administratorsPaths.appoint).expect(200));
    expect($('h1')).toHaveLength(1);
    const form = $('form[data-testid=appoint-form]');
    expect(form.find('input[name=_csrf]').val()).toBeTruthy();
    expect(form.find('fieldset legend').text()).toBe('Arbetsgivarkoder');
    const boxes = form.find('fieldset input[type=checkbox][name=codes]');
    expect(boxes).toHaveLength(3);
    expect(boxes.filter(':checked')).toHaveLength(3);
    for (const id of ['personalIdentityNumber', 'name', 'email', 'phone'])
      expect($(`label[for=${id}]`)).toHaveLength(1);
  });

  it('refuses an incomplete form with 422, an error summary and the input kept, storing nothing', async () => {
    const before = (await auditRows(testApp.db)).length;
    const response = await post(orderer, administratorsPaths.appoint, {
      personalIdentityNumber: '19121212-1213',
      name: 'Eva Ek',
      email: 'inte en adress',
    });
    expect(response.status).toBe(422);
    const $ = html(response);
    expect(errorSummary($)).toEqual([
      {
        href: '#personalIdentityNumber',
        text: 'Skriv ett giltigt personnummer eller samordningsnummer, till exempel 19121212-1212.',
      },
      { href: '#email', text: 'Skriv en giltig e-postadress, till exempel namn@exempel.se.' },
      { href: '#codes', text: 'Välj minst en arbetsgivarkod.' },
    ]);
    expect($('title').text()).toMatch(/^Fel: /);
    expect($('#personalIdentityNumber').attr('aria-invalid')).toBe('true');
    expect($('#name').val()).toBe('Eva Ek');
    expect($('#email').val()).toBe('inte en adress');
    expect($('input[name=codes]:checked')).toHaveLength(0);
    expect($('#codes-error').text()).toBe('Välj minst en arbetsgivarkod.');
    expect((await auditRows(testApp.db)).length).toBe(before);
  });

  it('appoints a new person (samordningsnummer) and tells the orderer and them by email', async () => {
    const pin = personalIdentityNumber({ coordination: true });
    const response = await post(orderer, administratorsPaths.appoint, {
      personalIdentityNumber: `${pin.slice(2, 8)}-${pin.slice(8)}`,
      name: 'Eva Ek',
      email: 'eva.ek@example.org',
      phone: '070-111 22 33',
      codes: [await code('40102')],
    });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(administratorsPaths.list);
    const eva = await personId(testApp.db, pin);
    expect(await administeredCodes(testApp.db, eva)).toEqual(['40102']);
    const $ = html(await orderer.get(administratorsPaths.list).expect(200));
    expect($('[data-testid=flash]').text()).toContain('Eva Ek är nu administratör för 40102.');
    expect(
      $('[data-code=40102] [data-testid=administrator] th')
        .map((_, cell) => $(cell).text())
        .get(),
    ).toContain('Eva Ek');
    const mails = (await outbox(testApp.db)).filter((mail) => mail.data.administrators[0]?.name === 'Eva Ek');
    expect(mails.map((mail) => [mail.recipient_email, mail.data.administrators[0]?.codes])).toEqual([
      ['anna.bergstrom@kulturarvsdata.example', ['40102']],
      ['eva.ek@example.org', ['40102']],
    ]);
    expect(mails[0]?.data.link).toBe(`${testApp.config.baseUrl}/oversikt`);
    const audit = (await auditRows(testApp.db)).at(-1);
    expect(audit).toMatchObject({ action: 'administrator.appointed', actor_role: 'orderer', subject_id: eva });
  });

  it('matches a known person by number, and says which codes they already had', async () => {
    const personsBefore = await testApp.db('persons').count<{ count: string }[]>({ count: '*' });
    const response = await post(delegate, administratorsPaths.appoint, {
      personalIdentityNumber: '191212121212',
      name: 'J. Andersson',
      email: 'annan@example.org',
      codes: [await code('40101'), await code('40102')],
    });
    expect(response.status).toBe(302);
    expect(await testApp.db('persons').count<{ count: string }[]>({ count: '*' })).toEqual(personsBefore);
    const johan = await personId(testApp.db, PIN.administratorNorth);
    expect(await administeredCodes(testApp.db, johan)).toEqual(['40101', '40102']);
    const flash = html(await delegate.get(administratorsPaths.list).expect(200))('[data-testid=flash]').text();
    expect(flash).toContain('Johan Andersson är nu administratör för 40101.');
    expect(flash).toContain('Johan Andersson var redan administratör för 40102.');
    expect((await auditRows(testApp.db)).at(-1)).toMatchObject({
      action: 'administrator.appointed',
      actor_role: 'delegate',
    });
  });

  it('lets the orderer appoint themself', async () => {
    const response = await post(orderer, administratorsPaths.appoint, {
      personalIdentityNumber: '19121210-2824',
      name: 'Anna Bergström',
      email: 'anna.bergstrom@kulturarvsdata.example',
      codes: [await code('40199')],
    });
    expect(response.status).toBe(302);
    expect(await administeredCodes(testApp.db, await personId(testApp.db, PIN.orderer))).toEqual(['40199']);
  });

  it("changes an administrator's codes", async () => {
    const johan = await personId(testApp.db, PIN.administratorNorth);
    const path = pathTo(administratorsPaths.change, { personId: johan });
    const form = html(await orderer.get(path).expect(200));
    expect(
      form('input[name=codes]:checked')
        .map((_, box) => form(box).val())
        .get(),
    ).toEqual([await code('40101'), await code('40102')]);
    const response = await post(orderer, path, { codes: [await code('40101')] });
    expect(response.status).toBe(302);
    expect(await administeredCodes(testApp.db, johan)).toEqual(['40101']);
    expect((await auditRows(testApp.db)).at(-1)).toMatchObject({
      action: 'administrator.codes_changed',
      employer_code_id: await code('40102'),
      before: { codes: ['40102'] },
      after: { codes: [] },
    });
  });

  it('refuses a change that leaves a code without an administrator, naming the code at the field and in the summary', async () => {
    const maria = await personId(testApp.db, PIN.administratorAll);
    const anna = await personId(testApp.db, PIN.orderer);
    // Anna is the only other administrator of 40199; removing her leaves Maria alone there
    expect((await post(orderer, pathTo(administratorsPaths.remove, { personId: anna }))).status).toBe(302);
    const closed = await code('40199');
    const response = await post(orderer, pathTo(administratorsPaths.change, { personId: maria }), {
      codes: [await code('40101'), await code('40102')],
    });
    expect(response.status).toBe(422);
    const $ = html(response);
    const message =
      '40199 Projektenheten Digitalisering skulle bli utan administratör. Utse först en annan administratör för koden.';
    expect(errorSummary($)).toEqual([{ href: `#code-${closed}`, text: message }]);
    expect($(`#code-${closed}-error`).text()).toBe(message);
    expect($(`#code-${closed}`).attr('aria-invalid')).toBe('true');
    expect($(`#code-${closed}`).is(':checked')).toBe(false);
    expect(await administeredCodes(testApp.db, maria)).toEqual(['40101', '40102', '40199']);
  });

  it('removes an administrator after a confirmation, and refuses when a code would be left without one', async () => {
    const johan = await personId(testApp.db, PIN.administratorNorth);
    const maria = await personId(testApp.db, PIN.administratorAll);
    const confirm = html(await orderer.get(pathTo(administratorsPaths.remove, { personId: maria })).expect(200));
    expect(confirm('[data-testid=held-codes] li')).toHaveLength(3);

    // Maria is the only administrator of 40199
    const refused = await post(orderer, pathTo(administratorsPaths.remove, { personId: maria }));
    expect(refused.status).toBe(422);
    expect(errorSummary(html(refused)).map((error) => error.text)).toEqual([
      expect.stringContaining('40199') as string,
    ]);
    expect(await administeredCodes(testApp.db, maria)).toEqual(['40101', '40102', '40199']);

    // Johan (40101) can go: Maria holds 40101 too
    const removed = await post(orderer, pathTo(administratorsPaths.remove, { personId: johan }));
    expect(removed.status).toBe(302);
    expect(await administeredCodes(testApp.db, johan)).toEqual([]);
    expect(html(await orderer.get(administratorsPaths.list).expect(200))('[data-testid=flash]').text()).toContain(
      'Johan Andersson är inte längre administratör.',
    );
    expect((await auditRows(testApp.db)).at(-1)).toMatchObject({ action: 'administrator.removed', subject_id: johan });
    await orderer.get(pathTo(administratorsPaths.remove, { personId: johan })).expect(404);
  });

  it('lets only one of two requests removing the last two administrators of a code at the same moment succeed', async () => {
    // 40102 now has Maria and Eva Ek: Maria gives it up for a new person, leaving Eva and the new one
    const maria = await personId(testApp.db, PIN.administratorAll);
    const north = await code('40102');
    const pin = personalIdentityNumber();
    const appointed = await post(orderer, administratorsPaths.appoint, {
      personalIdentityNumber: pin,
      name: 'Per Ny',
      email: 'per.ny@example.org',
      codes: [north],
    });
    expect(appointed.status).toBe(302);
    const changed = await post(orderer, pathTo(administratorsPaths.change, { personId: maria }), {
      codes: [await code('40101'), await code('40199')],
    });
    expect(changed.status).toBe(302);
    expect(await administratorCount(testApp.db, north)).toBe(2);
    const [eva, per] = await Promise.all([
      testApp
        .db('persons')
        .where({ display_name: 'Eva Ek' })
        .first<{ id: string }>('id')
        .then((row) => row.id),
      personId(testApp.db, pin),
    ]);
    // fetch the tokens first, so that both requests are in flight together
    const requests = [
      { agent: orderer, path: pathTo(administratorsPaths.remove, { personId: eva }) },
      { agent: delegate, path: pathTo(administratorsPaths.remove, { personId: per }) },
    ];
    const tokens = await Promise.all(
      requests.map(async ({ agent }) =>
        String(
          html(await agent.get(administratorsPaths.list).expect(200))('input[name=_csrf]')
            .first()
            .val(),
        ),
      ),
    );
    const blocker = await blockAssignments(testApp.db, north);
    const responses = Promise.all(
      requests.map(({ agent, path }, index) => agent.post(path).type('form').send({ _csrf: tokens[index] })),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.release();
    const statuses = (await responses).map((response) => response.status).sort();
    expect(statuses).toEqual([302, 422]);
    expect(await administratorCount(testApp.db, north)).toBe(1);
  });
});
