import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import { follow, heading, newPerson, pagesNotChecked, screenshot, textOf, visit } from './support/browser';
import { answerAtEid, logIn } from './support/eid';
import { demoPortalAndBrowser } from './support/demo';
import { portalLinks, text } from './support/text';

/** Journeys 2, 4 and 5 on the demo data, plus a second employer where Maria Nilsson also administers a code. */

const MARIA = { pnr: '191212083461', name: 'Maria Nilsson', email: 'maria.nilsson@kulturarvsdata.example' };
const JOHAN = { pnr: '191212121212', name: 'Johan Andersson' };
const MIKKO = '191212652372';
const NEW_USER = {
  pnr: `19900202345${luhnCheckDigit('900202345')}`,
  name: 'Vera Ny',
  email: 'vera.ny@kulturarvsdata.example',
};

const run = demoPortalAndBrowser();
const { loggedIn } = run;
let other: { employerId: string; userId: string };

async function idOf(db: Knex, pnr: string): Promise<string> {
  const row = await db('persons').where({ personal_identity_number: pnr }).first<{ id: string } | undefined>('id');
  if (!row) throw new Error('no such person');
  return row.id;
}

/** Statens lönecenter, code 88001: Maria administers it, and it has one user of its own. */
async function secondEmployer(db: Knex): Promise<{ employerId: string; userId: string }> {
  const [employer] = await db('employers')
    .insert({ organisation_number: '2120000142', name: 'Statens lönecenter', registry_email: 'reg@lon.example' })
    .returning<{ id: string }[]>('id');
  const [code] = await db('employer_codes')
    .insert({ employer_id: employer?.id, code: '88001', name: 'Lön' })
    .returning<{ id: string }[]>('id');
  const [user] = await db('persons')
    .insert({
      personal_identity_number: `19800808456${luhnCheckDigit('800808456')}`,
      given_name: 'Lena',
      family_name: 'Lön',
      display_name: 'Lena Lön',
      email: 'lena@lon.example',
    })
    .returning<{ id: string }[]>('id');
  const service = await db('services').where({ key: 'rapporter' }).first<{ id: string }>('id');
  await db('permissions').insert({
    person_id: user?.id,
    employer_code_id: code?.id,
    service_id: service.id,
    source: 'import',
  });
  await db('role_assignments').insert({
    person_id: await idOf(db, MARIA.pnr),
    employer_id: employer?.id,
    employer_code_id: code?.id,
    role: 'administrator',
  });
  return { employerId: employer?.id ?? '', userId: user?.id ?? '' };
}

beforeAll(async () => {
  other = await secondEmployer(run.portal.db);
});

/** Maria works for two employers: after the login she picks one. */
async function chooseEmployer(page: Page, name: string): Promise<void> {
  expect(await textOf(heading(page))).toBe(text('context.choose.title'));
  await page.getByLabel(name).check();
  await follow(page, page.getByRole('button', { name: text('context.choose.submit') }));
}

async function emailsTo(address: string, count: number): Promise<{ subject: string; links: string[] }[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = run.portal.smtp.messages.filter((message) => message.envelopeTo.includes(address));
    if (mails.length >= count)
      return mails.map((message) => ({
        subject: message.mail.subject ?? '',
        links: portalLinks(message.mail, run.portal.baseUrl),
      }));
    if (Date.now() > deadline) throw new Error(`expected ${count} emails to ${address}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('journey 2: an administrator adds a user, removes one code; the user sees it all', () => {
  it('the administrator adds a user with services on two codes, then removes one code', async () => {
    const page = await loggedIn(MARIA.pnr);
    await chooseEmployer(page, 'Myndigheten för kulturarvsdata (202199-0011)');
    await follow(page, page.getByRole('link', { name: text('context.start.usersLink') }));
    await screenshot(page, 'administrator');
    await follow(page, page.getByRole('link', { name: text('permissions.overview.addUser') }));
    await page.getByLabel(text('permissions.fields.personalIdentityNumber'), { exact: true }).fill(NEW_USER.pnr);
    await page.getByLabel(text('permissions.fields.name'), { exact: true }).fill(NEW_USER.name);
    await page.getByLabel(text('permissions.fields.email'), { exact: true }).fill(NEW_USER.email);
    const servicesFor = (code: string, name: string) =>
      page.getByRole('group', { name: text('permissions.newUser.servicesFor', { code, name }) });
    await servicesFor('40101', 'Huvudkontoret').getByLabel('Rapport direkt').check();
    await servicesFor('40102', 'Regionkontor Norr').getByLabel('Filöverföring').check();
    await follow(page, page.getByRole('button', { name: text('permissions.newUser.submit') }));
    expect(await textOf(heading(page))).toContain(NEW_USER.name);
    const granted = page.locator('[data-testid=service-row][data-granted=true]');
    expect(await granted.count()).toBe(2);

    await follow(page, page.getByRole('button', { name: text('permissions.user.removeFromCode', { code: '40102' }) }));
    expect(await granted.count()).toBe(1);
    expect(await textOf(page.locator('[data-code="40101"] [data-granted=true]'))).toContain('Rapport direkt');

    const emails = await emailsTo(NEW_USER.email, 3);
    expect(emails.map((email) => email.subject).sort()).toEqual(
      [
        text('mail.permissionChanged.subject', { employerName: 'Myndigheten för kulturarvsdata' }),
        text('mail.permissionChanged.subject', { employerName: 'Myndigheten för kulturarvsdata' }),
        text('mail.userRemoved.subject', { employerName: 'Myndigheten för kulturarvsdata' }),
      ].sort(),
    );
  });

  it('the user follows the email, logs in, sees the services and the administrators to ask', async () => {
    const [first] = await emailsTo(NEW_USER.email, 3);
    const link = first?.links[0] ?? '';
    const page = await newPerson(run.browser, run.portal.baseUrl);
    await page.goto(link);
    if (new URL(page.url()).pathname !== '/dev-eid/authenticate') await logIn(page, NEW_USER.pnr);
    else await answerAtEid(page, NEW_USER.pnr);
    const services = page.getByTestId('services');
    expect(await textOf(services)).toContain('Rapport direkt');
    expect(await textOf(services)).not.toContain('Filöverföring');
    const contacts = page.getByTestId('contacts');
    expect(await textOf(contacts)).toContain(MARIA.name);
    expect(await textOf(contacts)).toContain(MARIA.email);
    expect(await textOf(contacts)).toContain('070-174 06 20');
    await screenshot(page, 'user');
  });
});

describe('journey 4: an administrator stays inside its scope', () => {
  it('Johan (40102 only) gets the 403 page for codes, users and employers outside it', async () => {
    const page = await loggedIn(JOHAN.pnr);
    const forbidden = text('errors.forbidden.title');
    const kodOf = async (code: string) =>
      (await run.portal.db('employer_codes').where({ code }).first<{ id: string }>('id')).id;

    const attempts = [
      `/anvandare?kod=${await kodOf('40101')}`,
      `/anvandare/${await idOf(run.portal.db, MIKKO)}`,
      `/anvandare/${other.userId}`,
      `/anvandare?kod=${await kodOf('88001')}`,
      '/administratorer',
      `/handlaggare/arbetsgivare/${other.employerId}`,
    ];
    for (const path of attempts) {
      expect(await visit(page, path), path).toBe(403);
      expect(await textOf(heading(page)), path).toBe(forbidden);
    }
    // Inside the scope the same pages work.
    expect(await visit(page, `/anvandare?kod=${await kodOf('40102')}`)).toBe(200);
    expect(await visit(page, `/anvandare/${await idOf(run.portal.db, '191212061533')}`)).toBe(200);
  });
});

describe('journey 5: switching employer and language keep the person where they were', () => {
  it('Maria switches employer on the users page and stays on it; the language link keeps the page too', async () => {
    const page = await loggedIn(MARIA.pnr);
    await chooseEmployer(page, 'Myndigheten för kulturarvsdata (202199-0011)');
    await visit(page, '/anvandare');
    expect(await textOf(page.getByTestId('employer-context'))).toContain('Myndigheten för kulturarvsdata');

    await follow(page, page.getByTestId('switch-employer'));
    await chooseEmployer(page, 'Statens lönecenter (212000-0142)');
    expect(new URL(page.url()).pathname).toBe('/anvandare');
    expect(await textOf(page.getByTestId('employer-context'))).toContain('Statens lönecenter');
    expect(await textOf(page.locator('main'))).toContain('Lena Lön');

    await follow(page, page.getByRole('link', { name: text('layout.switchLanguage') }));
    expect(new URL(page.url()).pathname).toBe('/anvandare');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await textOf(heading(page))).toBe(text('permissions.overview.title', {}, 'en'));

    await follow(page, page.getByRole('link', { name: text('layout.switchLanguage', {}, 'en') }));
    expect(new URL(page.url()).pathname).toBe('/anvandare');
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    expect(await textOf(heading(page))).toBe(text('permissions.overview.title'));

    // Only a path on the portal is a place to come back to.
    await visit(page, '/valj-arbetsgivare?tillbaka=//evil.example/');
    await chooseEmployer(page, 'Myndigheten för kulturarvsdata (202199-0011)');
    expect(page.url()).toBe(`${run.portal.baseUrl}/oversikt`);
  });
});

describe('the pages no journey above passes through', () => {
  /** Opens each path (its links found in the pages where possible) and checks it; each must answer 200. */
  async function sweep(page: Page, pathsToOpen: string[]): Promise<void> {
    for (const path of pathsToOpen) expect(await visit(page, path), path).toBe(200);
  }

  it('agency staff: the back office, launch, history, email and terms pages pass axe', async () => {
    const page = await loggedIn('191212112427');
    const employerId = (
      await run.portal.db('employers').where({ organisation_number: '2021990011' }).first<{ id: string }>('id')
    ).id;
    const code = await run.portal.db('employer_codes').where({ code: '40101' }).first<{ id: string }>('id');
    const application = await run.portal
      .db('orderer_applications')
      .where({ employer_id: employerId })
      .first<{ id: string }>('id');
    const terms = await run.portal.db('terms_versions').first<{ id: string }>('id');
    await sweep(page, [
      '/handlaggare/arbetsgivare',
      '/handlaggare/arbetsgivare?q=40101',
      `/handlaggare/arbetsgivare/${employerId}`,
      `/handlaggare/arbetsgivare/${employerId}/andra`,
      `/handlaggare/arbetsgivare/${employerId}/koder/ny`,
      `/handlaggare/arbetsgivare/${employerId}/koder/${code.id}/andra`,
      `/handlaggare/arbetsgivare/${employerId}/koder/${code.id}/avsluta`,
      '/handlaggare/ansokningar',
      `/handlaggare/ansokningar/${application.id}`,
      '/handlaggare/villkor',
      `/handlaggare/villkor/${terms.id}`,
      '/handlaggare/e-post',
      '/handlaggare/lansering',
      '/handlaggare/lansering/arbetsgivare',
      '/handlaggare/lansering/koder-utan-administrator',
      '/handlaggare/lansering/importerade-anvandare',
      '/handlaggare/lansering/brev',
      '/handlaggare/historik',
    ]);
  });

  it('the orderer: administrators, history, the own history; then logging out; and the 404 page', async () => {
    const page = await loggedIn('191212102824');
    const johan = await idOf(run.portal.db, JOHAN.pnr);
    await sweep(page, ['/oversikt', '/administratorer']);
    await screenshot(page, 'orderer');
    await sweep(page, [
      '/administratorer/ny',
      `/administratorer/${johan}/andra`,
      `/administratorer/${johan}/ta-bort`,
      '/anvandare',
      `/anvandare/${await idOf(run.portal.db, MIKKO)}`,
      '/historik',
      '/min-historik',
    ]);
    await follow(page, page.getByRole('button', { name: text('layout.logout') }));
    expect(new URL(page.url()).pathname).toBe('/utloggad');
    expect(await visit(page, '/finns-inte')).toBe(404);
  });
});

describe('accessibility', () => {
  it('checked with axe every page the journeys above passed through', () => {
    expect(pagesNotChecked()).toEqual([]);
  });
});
