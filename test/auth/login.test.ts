import * as cheerio from 'cheerio';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { buildTestApp, type TestApp } from '../helpers/app';
import { startLogin } from '../helpers/eid-requests';
import { answerAtIdp, loginWithEid } from '../helpers/eid';

const ORDERER = '191212102824';
const NEWCOMER = '194004049294';

describe.each([
  ['plain', { SAML_SP_ENCRYPTION_KEY: 'none' }],
  ['encrypted', {}],
])('e-ID login through the development IdP (%s assertions)', (mode, env) => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await buildTestApp(env);
    await loadDemoData(testApp.db);
  });

  it('logs a known person in, regenerates the session and records the login', async () => {
    const agent = request.agent(testApp.app);
    await agent.get('/?lang=sv');
    const response = await loginWithEid(agent, ORDERER);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/oversikt');

    const overview = cheerio.load((await agent.get('/oversikt').expect(200)).text);
    expect(overview('[data-testid=current-person]').text()).toBe('Anna Bergström');
    expect(overview('[data-testid=employer-context]').text()).toContain('Myndigheten för kulturarvsdata');
    const person = await testApp
      .db('persons')
      .where({ personal_identity_number: ORDERER })
      .first<{ last_login_at: Date } | undefined>('last_login_at');
    expect(Date.now() - (person?.last_login_at.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it('asks the IdP for the assertion to be encrypted only when the SP has an encryption key', async () => {
    const metadata = (await request(testApp.app).get('/saml/metadata')).text;
    expect(metadata.includes('use="encryption"')).toBe(mode === 'encrypted');
  });

  it('creates a person never seen before, keyed on the personal identity number', async () => {
    const agent = request.agent(testApp.app);
    expect((await loginWithEid(agent, NEWCOMER)).status).toBe(302);
    const rows = await testApp.db('persons').where({ personal_identity_number: NEWCOMER });
    expect(rows).toHaveLength(1);
    const overview = cheerio.load((await agent.get('/oversikt').expect(403)).text);
    expect(overview('[data-testid=no-roles]')).toHaveLength(1);
    expect((await loginWithEid(request.agent(testApp.app), NEWCOMER)).status).toBe(302);
    expect(await testApp.db('persons').where({ personal_identity_number: NEWCOMER })).toHaveLength(1);
  });
});

describe('sessions around login and logout', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
  });

  it('gives a new session id at login (no fixation)', async () => {
    const agent = request.agent(testApp.app);
    const sent = await startLogin(agent);
    await agent.get(sent.ssoPath).expect(302);
    const before = (await agent.get('/dev-eid/authenticate')).headers['set-cookie'];
    const { response } = await answerAtIdp(agent, { personalIdentityNumber: ORDERER });
    const after = String(response.headers['set-cookie']);
    const sid = (cookie: string) => /portal\.sid=([^;]+)/.exec(cookie)?.[1];
    expect(sid(after)).toBeDefined();
    expect(sid(after)).not.toBe(sid(String(before)));
  });

  it('brings the person back where they were going, even when the IdP posts cross-site without the cookie', async () => {
    const browser = request.agent(testApp.app);
    await browser.get('/anvandare').expect(302);
    const sent = await startLogin(browser);
    await browser.get(sent.ssoPath).expect(302);
    const page = cheerio.load((await browser.get('/dev-eid/authenticate').expect(200)).text);
    const answer = await browser
      .post('/dev-eid/authenticate')
      .type('form')
      .send({ _csrf: String(page('input[name=_csrf]').val()), person: ORDERER, action: 'authenticate' })
      .expect(200);
    const form = cheerio.load(answer.text)('form[data-auto-submit]');
    // A SameSite=Lax cookie stays home on a cross-site POST: the IdP's answer comes without it.
    const response = await request(testApp.app)
      .post('/saml/acs')
      .type('form')
      .send({ SAMLResponse: String(form.find('input[name=SAMLResponse]').val()) })
      .expect(302);
    expect(response.headers.location).toBe('/anvandare');
    const stored = await testApp
      .db('saml_request_ids')
      .where({ id: sent.id })
      .first<{ return_path: string }>('return_path');
    expect(stored.return_path).toBe('/anvandare');
  });

  it('sends a person who is not logged in to the e-ID login', async () => {
    const response = await request(testApp.app).get('/oversikt').expect(302);
    expect(response.headers.location).toBe('/logga-in');
  });

  it('logs out: ends the session and shows the shared-computer advice', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, ORDERER);
    const overview = cheerio.load((await agent.get('/oversikt').expect(200)).text);
    const csrf = String(overview('form[action="/logga-ut"] input[name=_csrf]').val());
    const logout = await agent.post('/logga-ut').type('form').send({ _csrf: csrf }).expect(302);
    expect(logout.headers.location).toBe('/utloggad');
    const page = cheerio.load((await agent.get('/utloggad').expect(200)).text);
    expect(page('h1').text()).toBe('Du är utloggad');
    expect(page('.ds-alert').text()).toContain('delad dator');
    await agent.get('/oversikt').expect(302);
  });

  it('returns a cancelled login to the start page with a calm message', async () => {
    const agent = request.agent(testApp.app);
    const sent = await startLogin(agent);
    await agent.get(sent.ssoPath).expect(302);
    const { response } = await answerAtIdp(agent, { personalIdentityNumber: ORDERER, action: 'cancel' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/?login=cancelled');
    const start = cheerio.load((await agent.get('/?login=cancelled').expect(200)).text);
    expect(start('[data-testid=login-cancelled] h2').text()).toBe('Inloggningen avbröts');
    expect(await agent.get('/oversikt')).toHaveProperty('status', 302);
  });

  it('writes no personal identity number to the log', () => {
    const all = testApp.logs.join('\n');
    expect(all).toContain('logged in with e-ID');
    expect(all).not.toContain(ORDERER);
    expect(all).not.toContain('19121210-2824');
  });
});
