import { createHash } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { KeyPair } from '../../src/auth/keys';
import { ATTRIBUTES } from '../../src/auth/saml-constants';
import { loadDemoData } from '../../src/demo/seed';
import { buildTestApp, type TestApp } from '../helpers/app';
import { local } from '../helpers/eid';
import { developmentKeys } from '../helpers/keys';
import { defaultParts, encode, validResponse } from '../helpers/saml-forge';
import {
  $,
  acceptTerms,
  fillDetails,
  insertEmployer,
  invitationPath,
  openInvitation,
  orgNumber,
  p,
  personAgent,
  pnr,
  postForm,
  registerApplication,
  snapshot,
  staffAgent,
  startSigning,
} from './helpers';

const ORDERER = pnr('19700202345');
const DELEGATE = pnr('19750303456');
const OTHER = pnr('19600404567');
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const digestOf = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

let testApp: TestApp;
let idpKeys: KeyPair;
let employerId: string;
let applicationId: string;
let link: string;

beforeAll(async () => {
  // long absolute sessions: the expiry test moves the clock a month on with persons logged in (the IdP cannot follow)
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none', SESSION_ABSOLUTE_HOURS: '2000' });
  await loadDemoData(testApp.db);
  idpKeys = await developmentKeys(inject('dataDir'), 'dev-idp-signing');
  employerId = await insertEmployer(testApp.db, {
    organisationNumber: orgNumber('202100548'),
    name: 'Statens arkivverk',
    codes: [{ code: '77001', name: 'Centralen' }],
  });
  const staff = await staffAgent(testApp);
  applicationId = await registerApplication(staff, {
    employerId,
    name: 'Per Persson',
    title: 'Ekonomichef',
    personalIdentityNumber: ORDERER,
    email: 'per@arkiv.example',
  });
  link = await invitationPath(testApp.db, 'per@arkiv.example');
});

const status = async (id = applicationId) =>
  (await testApp.db('orderer_applications').where({ id }).first<{ status: string }>('status')).status;

describe('links refused with their page, changing nothing', () => {
  it('an unknown or malformed token', async () => {
    const before = await snapshot(testApp.db);
    for (const path of [`${p.root}/inbjudan/${'A'.repeat(43)}`, `${p.root}/inbjudan/kort`]) {
      const response = await request(testApp.app).get(path);
      expect(response.status).toBe(404);
      expect($(response)('[data-testid=refusal]').attr('data-refusal')).toBe('unknown');
    }
    expect(await snapshot(testApp.db)).toEqual(before);
  });

  it('a person other than the one named, who gets no access to the form either', async () => {
    const other = await personAgent(testApp, OTHER);
    const before = await snapshot(testApp.db);
    const response = await other.get(link);
    expect(response.status).toBe(403);
    const page = $(response);
    expect(page('[data-testid=refusal]').attr('data-refusal')).toBe('wrongPerson');
    expect(page('h1')).toHaveLength(1);
    expect(page.text()).toContain('SPV');
    for (const path of [p.form, p.details, p.review]) expect((await other.get(path)).status).toBe(400);
    expect(await snapshot(testApp.db)).toEqual(before);
  });

  it('the delegate, who cannot open or sign the form', async () => {
    const orderer = await personAgent(testApp, ORDERER);
    await openInvitation(orderer, link);
    await fillDetails(orderer, { name: 'Dag Delegat', personalIdentityNumber: DELEGATE, email: 'dag@arkiv.example' });
    await acceptTerms(orderer);

    const delegate = await personAgent(testApp, DELEGATE);
    const before = await snapshot(testApp.db);
    expect((await delegate.get(link)).status).toBe(403);
    const csrf = $(await delegate.get('/').expect(200))('input[name=_csrf]').val();
    expect(
      (
        await delegate
          .post(p.sign)
          .type('form')
          .send({ _csrf: String(csrf) })
      ).status,
    ).toBe(400);
    expect(await snapshot(testApp.db)).toEqual(before);
  });
});

describe('a signature whose answer does not hold', () => {
  async function forgedAnswer(attributes: (message: string) => Record<string, string | undefined>) {
    const orderer = await personAgent(testApp, ORDERER);
    await openInvitation(orderer, link);
    const start = await startSigning(orderer);
    const { message } = await testApp
      .db('signature_requests')
      .where({ id: start.requestId })
      .first<{ message: string }>('message');
    const parts = defaultParts({
      requestId: start.requestId,
      idpEntityId: 'http://localhost:3000/dev-eid',
      acsUrl: 'http://localhost:3000/saml/acs',
      spEntityId: 'http://localhost:3000/saml/metadata',
      personalIdentityNumber: ORDERER,
    });
    const before = await snapshot(testApp.db);
    const answer = await request(testApp.app)
      .post('/saml/acs')
      .type('form')
      .send({
        SAMLResponse: encode(
          validResponse({ ...parts, attributes: { ...parts.attributes, ...attributes(message) } }, idpKeys),
        ),
      });
    expect(answer.status).toBe(302);
    const returned = await orderer.get(local(String(answer.headers.location)));
    return { orderer, returned, before };
  }

  it.each([
    ['a missing digest', () => ({ [ATTRIBUTES.signMessageDigest]: undefined })],
    [
      'a forged digest (of another text)',
      () => ({ [ATTRIBUTES.signMessageDigest]: `${SHA256};${digestOf('Något annat')}` }),
    ],
    [
      'the delegate signing in the orderer’s place',
      (message: string) => ({
        [ATTRIBUTES.personalIdentityNumber]: DELEGATE,
        [ATTRIBUTES.signMessageDigest]: `${SHA256};${digestOf(message)}`,
      }),
    ],
  ])('refuses %s: a clear page, the form stays at step 3, nothing activated', async (_case, attributes) => {
    const { orderer, returned, before } = await forgedAnswer(attributes);
    expect(returned.status).toBe(400);
    const page = $(returned);
    expect(page('[data-testid=signature-refused]')).toHaveLength(1);
    expect(page('a.ds-button').attr('href')).toBe(p.review);
    // the refusal itself is on the record (one audit row); nothing else changed
    expect(await snapshot(testApp.db)).toEqual({ ...before, audit: before.audit + 1 });
    const last = await testApp.db('audit_log').orderBy('id', 'desc').first<{ action: string }>('action');
    expect(last.action).toBe('signature_request.refused');
    expect(await status()).toBe('invited');
    expect(await testApp.db('signatures').where({ application_id: applicationId })).toHaveLength(0);
    expect(await testApp.db('role_assignments').where({ employer_id: employerId })).toHaveLength(0);
    expect((await orderer.get(p.form).expect(303)).headers.location).toBe(p.review);
  });

  it('accepts the same forged-style answer with the right digest (so the refusals above are the digest’s doing)', async () => {
    const { returned } = await forgedAnswer((message) => ({
      [ATTRIBUTES.signMessageDigest]: `${SHA256};${digestOf(message)}`,
    }));
    expect(returned.status).toBe(303);
    expect(returned.headers.location).toBe(p.confirmation);
    expect(await status()).toBe('active');
  });
});

describe('cancelled and expired invitations', () => {
  let staff: Awaited<ReturnType<typeof staffAgent>>;
  let secondEmployer: string;
  let secondApplication: string;

  beforeAll(async () => {
    staff = await staffAgent(testApp);
    secondEmployer = await insertEmployer(testApp.db, {
      organisationNumber: orgNumber('202100123'),
      name: 'Statens museer',
      codes: [{ code: '88001', name: 'Museet' }],
    });
  });

  it('a cancelled invitation says so', async () => {
    secondApplication = await registerApplication(staff, {
      employerId: secondEmployer,
      name: 'Eva Ek',
      title: 'Överintendent',
      personalIdentityNumber: OTHER,
      email: 'eva@museer.example',
    });
    const path = await invitationPath(testApp.db, 'eva@museer.example');
    const show = `${p.staff.applications}/${secondApplication}`;
    const cancelled = await postForm(staff, show, `${show}/avbryt`, {});
    expect(cancelled.status).toBe(303);
    expect(await status(secondApplication)).toBe('cancelled');
    expect(
      (await testApp.db('audit_log').where({ action: 'orderer_application.cancelled', subject_id: secondApplication }))
        .length,
    ).toBe(1);

    const eva = await personAgent(testApp, OTHER);
    const before = await snapshot(testApp.db);
    const response = await eva.get(path);
    expect(response.status).toBe(410);
    expect($(response)('[data-testid=refusal]').attr('data-refusal')).toBe('cancelled');
    expect(await snapshot(testApp.db)).toEqual(before);
  });

  it('an expired link says so; staff resend a new one and the old one stops working', async () => {
    const third = await insertEmployer(testApp.db, {
      organisationNumber: orgNumber('202100234'),
      name: 'Statens bibliotek',
      codes: [{ code: '99001', name: 'Biblioteket' }],
    });
    const id = await registerApplication(staff, {
      employerId: third,
      name: 'Eva Ek',
      title: 'Riksbibliotekarie',
      personalIdentityNumber: OTHER,
      email: 'eva@bibliotek.example',
    });
    const oldPath = await invitationPath(testApp.db, 'eva@bibliotek.example');
    const eva = await personAgent(testApp, OTHER);
    testApp.clock.advance(31 * 86_400_000);

    const before = await snapshot(testApp.db);
    for (const agent of [request(testApp.app), eva]) {
      const response = await agent.get(oldPath);
      expect(response.status).toBe(410);
      expect($(response)('[data-testid=refusal]').attr('data-refusal')).toBe('expired');
    }
    expect(await snapshot(testApp.db)).toEqual(before);

    const staffNow = staff;
    const listed = await staffNow.get(p.staff.applications);
    expect(listed.status, listed.text.slice(0, 3000)).toBe(200);
    const list = $(listed);
    expect(list(`tr[data-application-id="${id}"] td[data-status]`).attr('data-status')).toBe('expired');
    const show = `${p.staff.applications}/${id}`;
    expect((await postForm(staffNow, show, `${show}/skicka-igen`, {})).status).toBe(303);
    const newPath = await invitationPath(testApp.db, 'eva@bibliotek.example');
    expect(newPath).not.toBe(oldPath);
    expect((await eva.get(oldPath)).status).toBe(404);
    await openInvitation(eva, newPath);
    expect((await eva.get(p.form)).headers.location).toBe(p.details);
  });
});
