import * as cheerio from 'cheerio';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { buildTestApp, type TestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';

const SARA = '191212072423';
const MIKKO = '191212652372';
const STRANGER = '194004049294';

let testApp: TestApp;
let otherEmployerId: string;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  // Mikko is also a user at a second employer (a payroll service centre works for several).
  const [employer] = await testApp
    .db('employers')
    .insert({ organisation_number: '2120000142', name: 'Statens lönecenter', registry_email: 'reg@lon.example' })
    .returning<{ id: string }[]>('id');
  otherEmployerId = employer?.id ?? '';
  const [code] = await testApp
    .db('employer_codes')
    .insert({ employer_id: otherEmployerId, code: '88001', name: 'Lön' })
    .returning<{ id: string }[]>('id');
  const mikko = await testApp.db('persons').where({ personal_identity_number: MIKKO }).first<{ id: string }>('id');
  const service = await testApp.db('services').where({ key: 'rapporter' }).first<{ id: string }>('id');
  await testApp.db('permissions').insert({
    person_id: mikko.id,
    employer_code_id: code?.id,
    service_id: service.id,
    source: 'import',
  });
});

async function page(agent: ReturnType<typeof request.agent>, path: string, status = 200): Promise<cheerio.CheerioAPI> {
  return cheerio.load((await agent.get(path).expect(status)).text);
}

describe('the employer context', () => {
  it('is chosen for a person with one employer, and every page shows it', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, SARA);
    const start = await page(agent, '/oversikt');
    expect(start('h1').text()).toBe('Myndigheten för kulturarvsdata');
    expect(start('[data-testid=employer-context]').text()).toContain('Arbetsgivare: Myndigheten för kulturarvsdata');
    const other = await page(agent, '/');
    expect(other('[data-testid=employer-context]').text()).toContain('Myndigheten för kulturarvsdata');
  });

  it('lets a person with several employers choose, and switch at any time', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, MIKKO);
    const redirect = await agent.get('/oversikt').expect(302);
    expect(redirect.headers.location).toBe('/valj-arbetsgivare');
    const chooser = await page(agent, '/valj-arbetsgivare');
    const options = chooser('input[name=employerId]');
    expect(options).toHaveLength(2);
    const csrf = String(chooser('input[name=_csrf]').val());
    const chosen = await agent
      .post('/valj-arbetsgivare')
      .type('form')
      .send({ _csrf: csrf, employerId: otherEmployerId })
      .expect(303);
    expect(chosen.headers.location).toBe('/oversikt');
    const start = await page(agent, '/oversikt');
    expect(start('h1').text()).toBe('Statens lönecenter');
    expect(start('[data-testid=services]').text()).toContain('Rapporter');
    expect(start('a[href="/valj-arbetsgivare"]').length).toBeGreaterThan(0);
  });

  it('refuses to switch to an employer where the person has no role, and stays where it was', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, SARA);
    await page(agent, '/oversikt');
    const chooser = await page(agent, '/valj-arbetsgivare');
    const csrf = String(chooser('input[name=_csrf]').val());
    const refused = await agent
      .post('/valj-arbetsgivare')
      .type('form')
      .send({ _csrf: csrf, employerId: otherEmployerId })
      .expect(422);
    expect(cheerio.load(refused.text)('[data-testid=error-summary]').text()).toContain('Välj en arbetsgivare');
    const start = await page(agent, '/oversikt');
    expect(start('h1').text()).toBe('Myndigheten för kulturarvsdata');
  });

  it('tells a person with no role anywhere so, with the agency’s contact details', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, STRANGER);
    const start = await page(agent, '/oversikt', 403);
    expect(start('h1').text()).toBe('Du har ingen roll hos någon arbetsgivare');
    expect(start('main a[href^="mailto:"]').length).toBeGreaterThan(0);
    expect(start('main a[href^="tel:"]').length).toBeGreaterThan(0);
  });
});

describe('the user’s start page', () => {
  it('lists the services per employer code, and whom to ask with email and phone', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, SARA);
    const start = await page(agent, '/oversikt');
    const services = start('[data-testid=services] tbody tr');
    expect(services.length).toBeGreaterThan(0);
    expect(start('[data-testid=services]').text()).toContain('Rapport direkt');
    const contacts = start('[data-testid=contacts]');
    expect(contacts.text()).toContain('Anna Bergström');
    expect(contacts.text()).toContain('Behörig beställare');
    expect(contacts.text()).toContain('Maria Nilsson');
    expect(contacts.text()).toContain('Ansvarig administratör');
    expect(contacts.find('a[href^="mailto:"]').length).toBeGreaterThan(2);
    expect(start.html()).not.toMatch(/19121207-?2423/);
  });

  it('links the orderer to the administrators and the users, and a user to neither', async () => {
    const orderer = request.agent(testApp.app);
    await loginWithEid(orderer, '191212102824');
    const start = await page(orderer, '/oversikt');
    expect(
      start('nav[aria-labelledby=admin-heading] a')
        .map((_, link) => start(link).attr('href'))
        .get(),
    ).toEqual(['/administratorer', '/anvandare']);
    const user = request.agent(testApp.app);
    await loginWithEid(user, SARA);
    expect((await page(user, '/oversikt'))('nav[aria-labelledby=admin-heading]')).toHaveLength(0);
  });

  it('is in English too', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, SARA);
    const start = await page(agent, '/oversikt?lang=en');
    expect(start('#services-heading').text()).toBe('Your self-service services');
    expect(start('[data-testid=services]').text()).toContain('Direct reporting');
  });

  it('records the last login at each e-ID login', async () => {
    // Within the e-ID's clock skew: node-saml reads the real clock, the development IdP the test's.
    testApp.clock.advance(30_000);
    await loginWithEid(request.agent(testApp.app), SARA);
    const after = await testApp
      .db('persons')
      .where({ personal_identity_number: SARA })
      .first<{ last_login_at: Date }>('last_login_at');
    expect(after.last_login_at.getTime()).toBe(testApp.clock.now);
  });
});
