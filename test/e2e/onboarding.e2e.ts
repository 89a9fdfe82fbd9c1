import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import {
  follow,
  heading,
  launchBrowser,
  navigate,
  newPerson,
  pagesNotChecked,
  screenshot,
  textOf,
  visit,
} from './support/browser';
import { answerAtEid, logIn } from './support/eid';
import { startPortal, STAFF, type RunningPortal } from './support/portal';
import { portalLinks, text } from './support/text';

/** Journeys 1 and 3: from a database with only one staff member, everything else is done through the pages. */

const pnr = (first11: string): string => `${first11}${luhnCheckDigit(first11.slice(2))}`;
const orgNumber = (first9: string): string => `${first9}${luhnCheckDigit(first9)}`;

const ORDERER = { name: 'Ingrid Ek', pnr: pnr('19800101123'), email: 'ingrid.ek@arkiv.example' };
const DELEGATE = { name: 'Olle Delegat', pnr: pnr('19850505234'), email: 'olle.delegat@arkiv.example' };
const ADMIN_NORTH = { name: 'Nils Norr', pnr: pnr('19700303345'), email: 'nils.norr@arkiv.example' };
const ADMIN_SOUTH = { name: 'Siv Söder', pnr: pnr('19750404456'), email: 'siv.soder@arkiv.example' };
const PAPER_ORDERER = { name: 'Pelle Papper', pnr: pnr('19690707567'), email: 'pelle.papper@museum.example' };

let portal: RunningPortal;
let browser: Browser;
let staffPage: Page | undefined;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal({ demo: false }), launchBrowser()]);
  // Hooks registered inside beforeAll do not run in this vitest: the clean-up is returned instead.
  return async () => {
    await browser.close();
    await portal.close();
  };
});

async function staffLogsIn(): Promise<Page> {
  const page = await newPerson(browser, portal.baseUrl);
  await visit(page, '/');
  await logIn(page, STAFF.personalIdentityNumber);
  expect(await textOf(heading(page))).toBe(text('staff.start.title'));
  return page;
}

async function registerEmployer(
  page: Page,
  employer: { name: string; organisationNumber: string; registryEmail: string; codes: [string, string][] },
): Promise<void> {
  const nav = page.getByRole('navigation', { name: text('staff.nav.label') });
  await follow(page, nav.getByRole('link', { name: text('staff.nav.newEmployer') }));
  await page.getByLabel(text('employers.fields.name')).fill(employer.name);
  await page.getByLabel(text('employers.fields.organisationNumber')).fill(employer.organisationNumber);
  await page.getByLabel(text('employers.fields.registryEmail')).fill(employer.registryEmail);
  await follow(page, page.getByRole('button', { name: text('staff.employerForm.register') }));
  expect(await textOf(heading(page))).toBe(employer.name);
  for (const [code, name] of employer.codes) {
    await follow(page, page.getByRole('link', { name: text('staff.employer.addCode') }));
    await page.getByLabel(text('employers.fields.code'), { exact: true }).fill(code);
    await page.getByLabel(text('employers.fields.codeName')).fill(name);
    await page.getByLabel(text('employers.status.active'), { exact: true }).check();
    await follow(page, page.getByRole('button', { name: text('staff.codeForm.add') }));
    expect(await textOf(page.getByTestId('codes'))).toContain(code);
  }
}

async function registerApplication(
  page: Page,
  employerName: string,
  orderer: { name: string; pnr: string; email: string },
): Promise<void> {
  const nav = page.getByRole('navigation', { name: text('staff.nav.label') });
  await follow(page, nav.getByRole('link', { name: text('staff.nav.applications') }));
  await follow(page, page.getByRole('link', { name: text('onboarding.staff.list.new') }));
  const employer = page.getByLabel(text('onboarding.staff.employer'));
  const option = await employer.locator('option', { hasText: employerName }).getAttribute('value');
  await employer.selectOption(option ?? '');
  await page.getByLabel(text('onboarding.fields.name')).fill(orderer.name);
  await page.getByLabel(text('onboarding.fields.title'), { exact: true }).fill('HR-direktör');
  await page.getByLabel(text('onboarding.fields.personalIdentityNumber')).fill(orderer.pnr);
  await page.getByLabel(text('onboarding.fields.email')).fill(orderer.email);
  await follow(page, page.getByRole('button', { name: text('onboarding.staff.new.submit') }));
  expect(await textOf(page.getByTestId('notice'))).toBe(text('onboarding.staff.notices.registered'));
}

/** The link in the newest email to this address whose path starts with the prefix. */
async function linkInEmail(to: string, pathPrefix: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = portal.smtp.messages.filter((message) => message.envelopeTo.includes(to));
    const link = mails
      .flatMap((message) => portalLinks(message.mail, portal.baseUrl))
      .filter((path) => path.startsWith(pathPrefix))
      .at(-1);
    if (link) return link;
    if (Date.now() > deadline) throw new Error(`no email to ${to} with a link to ${pathPrefix}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The subjects of the emails to this address, once `count` have arrived. */
async function emailSubjects(to: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = portal.smtp.messages.filter((message) => message.envelopeTo.includes(to));
    if (mails.length >= count || Date.now() > deadline) return mails.map((message) => message.mail.subject ?? '');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The orderer opens the invitation, logs in and fills in steps 1 and 2 of the form. */
async function ordererFillsInTheForm(page: Page, orderer: { pnr: string; email: string }, delegate?: typeof DELEGATE) {
  await visit(page, await linkInEmail(orderer.email, '/bestallare/inbjudan/'));
  expect(await textOf(heading(page))).toBe(text('onboarding.login.title'));
  await logIn(page, orderer.pnr);
  expect(await textOf(heading(page))).toBe(text('onboarding.details.title'));
  if (delegate) {
    await page.getByLabel(text('onboarding.details.handledByOrdererNo')).check();
    const fields = page.getByRole('group', { name: text('onboarding.details.delegateLegend') });
    await fields.getByLabel(text('onboarding.fields.name')).fill(delegate.name);
    await fields.getByLabel(text('onboarding.fields.personalIdentityNumber')).fill(delegate.pnr);
    await fields.getByLabel(text('onboarding.fields.email')).fill(delegate.email);
  } else {
    await page.getByLabel(text('onboarding.details.handledByOrdererYes')).check();
  }
  await follow(page, page.getByRole('button', { name: text('onboarding.details.submit') }));
  expect(await textOf(heading(page))).toBe(text('onboarding.terms.title'));
  await page.getByRole('checkbox').check();
  await follow(page, page.getByRole('button', { name: text('onboarding.terms.submit') }));
  expect(await textOf(heading(page))).toBe(text('onboarding.review.title'));
}

async function appointAdministrator(page: Page, person: typeof ADMIN_NORTH, code: string): Promise<void> {
  await follow(page, page.getByRole('link', { name: text('administrators.list.appoint') }));
  await page.getByLabel(text('administrators.fields.personalIdentityNumber')).fill(person.pnr);
  await page.getByLabel(text('administrators.fields.name')).fill(person.name);
  await page.getByLabel(text('administrators.fields.email')).fill(person.email);
  await page.getByLabel(text('administrators.fields.phone')).fill('070-174 06 99');
  // The form starts with every code ticked: this administrator gets only the one code.
  const codes = page.getByRole('group', { name: text('administrators.fields.codes') }).getByRole('checkbox');
  for (const box of await codes.all()) {
    const label = (await box.getAttribute('id')) ?? '';
    await box.setChecked((await textOf(page.locator(`label[for="${label}"]`))).startsWith(`${code} `));
  }
  await follow(page, page.getByRole('button', { name: text('administrators.appoint.submit') }));
  expect(await textOf(heading(page))).toBe(text('administrators.list.title'));
}

describe('journey 1: an employer registered by staff, onboarded by its orderer with e-ID', () => {
  it('staff register the employer, its codes and the orderer application; the invitation is sent', async () => {
    const staff = await staffLogsIn();
    staffPage = staff;
    await screenshot(staff, 'staff');
    await registerEmployer(staff, {
      name: 'Statens arkivverk',
      organisationNumber: orgNumber('202100548'),
      registryEmail: 'registrator@arkiv.example',
      codes: [
        ['77001', 'Regionkontor Norr'],
        ['77002', 'Regionkontor Söder'],
      ],
    });
    await registerApplication(staff, 'Statens arkivverk', ORDERER);
    expect(await linkInEmail(ORDERER.email, '/bestallare/inbjudan/')).toMatch(/^\/bestallare\/inbjudan\/[\w-]{43}$/);
  });

  it('the orderer follows the invitation, logs in, names a delegate and signs with e-ID (hand-over pages clicked)', async () => {
    // The SAML hand-over pages stay on screen here: they are checked with axe and their buttons used.
    const page = await newPerson(browser, portal.baseUrl, { autoSubmit: false });
    await ordererFillsInTheForm(page, ORDERER, DELEGATE);
    expect(await textOf(page.getByTestId('summary-delegate'))).toContain(DELEGATE.name);
    await navigate(page, () => page.getByRole('button', { name: text('onboarding.review.eidButton') }).click());
    expect(await textOf(heading(page))).toBe(text('auth.postToIdp.title'));
    await page.getByRole('button', { name: text('auth.postToIdp.continue') }).click();
    expect(await textOf(page.getByTestId('sign-message'))).toContain('Statens arkivverk');
    await answerAtEid(page, ORDERER.pnr);
    expect(await textOf(heading(page))).toBe(text('onboarding.confirmation.title'));
    expect(await page.getByTestId('active').isVisible()).toBe(true);
    expect(await linkInEmail(DELEGATE.email, '/')).toBeTruthy();
  });

  it('the orderer appoints two administrators over different codes; the missing-administrator warnings go', async () => {
    const page = await newPerson(browser, portal.baseUrl);
    await visit(page, '/');
    await logIn(page, ORDERER.pnr);
    await follow(page, page.getByRole('link', { name: text('context.start.administratorsLink') }));
    const warnings = page.getByTestId('no-administrator');
    expect(await warnings.count()).toBe(2);

    await appointAdministrator(page, ADMIN_NORTH, '77001');
    expect(await warnings.count()).toBe(1);
    expect(await page.locator('[data-code="77002"]').getByTestId('no-administrator').isVisible()).toBe(true);
    await appointAdministrator(page, ADMIN_SOUTH, '77002');
    expect(await warnings.count()).toBe(0);
    expect(await textOf(page.locator('[data-code="77001"]').getByTestId('administrator'))).toContain(ADMIN_NORTH.name);
    expect(await textOf(page.locator('[data-code="77002"]').getByTestId('administrator'))).toContain(ADMIN_SOUTH.name);

    expect(await linkInEmail(ADMIN_NORTH.email, '/')).toBeTruthy();
    expect(await linkInEmail(ADMIN_SOUTH.email, '/')).toBeTruthy();
  });
});

describe('journey 3: the paper path', () => {
  it('the orderer downloads the PDF, staff record the paper form, the orderer gets access', async () => {
    // Karin is still logged in from journey 1: she goes back to the back office's start page.
    const staff = staffPage ?? (await staffLogsIn());
    await follow(staff, staff.getByTestId('back-office-link'));
    await registerEmployer(staff, {
      name: 'Statens museer',
      organisationNumber: orgNumber('202100605'),
      registryEmail: 'registrator@museum.example',
      codes: [['88001', 'Huvudkontoret']],
    });
    await registerApplication(staff, 'Statens museer', PAPER_ORDERER);
    const applicationPage = staff.url();

    const page = await newPerson(browser, portal.baseUrl);
    await ordererFillsInTheForm(page, PAPER_ORDERER);
    await follow(page, page.getByRole('button', { name: text('onboarding.review.paperButton') }));
    expect(await page.getByTestId('awaiting-paper').isVisible()).toBe(true);
    const reference = /\S+$/.exec((await page.getByTestId('reference').textContent()) ?? '')?.[0] ?? '';
    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: text('onboarding.confirmation.pdfButton') }).click();
    const download = await downloading;
    const pdf = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of pdf) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-');

    // Not yet: the overview says there is no role.
    await visit(page, '/oversikt');
    expect(await page.getByRole('link', { name: text('context.start.administratorsLink') }).count()).toBe(0);

    await visit(staff, new URL(applicationPage).pathname);
    expect(await textOf(staff.getByTestId('application'))).toContain(reference);
    await staff.getByLabel(text('onboarding.staff.show.paperChecked')).check();
    await follow(staff, staff.getByRole('button', { name: text('onboarding.staff.show.paperSubmit') }));
    expect(await textOf(staff.getByTestId('notice'))).toBe(text('onboarding.staff.notices.activated'));

    expect(await emailSubjects(PAPER_ORDERER.email, 2)).toEqual([
      text('mail.ordererInvitation.subject', { employerName: 'Statens museer' }),
      text('mail.ordererActivated.subject', { employerName: 'Statens museer' }),
    ]);
    await visit(page, '/oversikt');
    await follow(page, page.getByRole('link', { name: text('context.start.administratorsLink') }));
    expect(await page.locator('[data-code="88001"]').getByTestId('no-administrator').isVisible()).toBe(true);
  });
});

describe('accessibility', () => {
  it('checked with axe every page the journeys above passed through', () => {
    expect(pagesNotChecked()).toEqual([]);
  });
});
