import { createHash } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../../src/auth/saml-constants';
import { loadDemoData } from '../../src/demo/seed';
import { MAIL_TEMPLATES, isMailTemplate } from '../../src/mail/templates';
import { canonicalJson } from '../../src/onboarding/form-content';
import { buildTestApp, type TestApp } from '../helpers/app';
import {
  $,
  applicationRow,
  personRow,
  signatureRow,
  type AuditRow,
  type RoleRow,
  acceptTerms,
  fillDetails,
  insertEmployer,
  invitationPath,
  openInvitation,
  orgNumber,
  outbox,
  p,
  personAgent,
  pnr,
  postForm,
  registerApplication,
  signWithEid,
  snapshot,
  staffAgent,
} from './helpers';

const ORDERER = pnr('19800101123');
const DELEGATE = pnr('19850505234');
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

let testApp: TestApp;
let employerId: string;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  employerId = await insertEmployer(testApp.db, {
    organisationNumber: orgNumber('202100548'),
    name: 'Statens arkivverk',
    codes: [
      { code: '77001', name: 'Centralen' },
      { code: '77002', name: 'Filialen', active: false },
    ],
  });
});

const applicant = () => ({
  employerId,
  name: 'Ingrid Ek',
  title: 'HR-direktör',
  personalIdentityNumber: `${ORDERER.slice(0, 8)}-${ORDERER.slice(8)}`,
  email: 'ingrid.ek@arkiv.example',
});

describe('the orderer confirms the role with e-ID', () => {
  let applicationId: string;

  it('staff register the application: invitation in the outbox with a working link, audited', async () => {
    const staff = await staffAgent(testApp);
    applicationId = await registerApplication(staff, applicant());

    const application = await applicationRow(testApp.db, applicationId);
    expect(application).toMatchObject({
      status: 'invited',
      personal_identity_number: ORDERER,
      employer_id: employerId,
    });
    expect(application.invitation_token_hash).toMatch(/^[0-9a-f]{64}$/);
    const expiresIn = (application.invitation_expires_at?.getTime() ?? 0) - testApp.clock.now;
    expect(expiresIn).toBe(30 * 86_400_000);

    const [email] = await outbox(testApp.db, 'orderer-invitation');
    expect(email?.recipient_email).toBe('ingrid.ek@arkiv.example');
    expect(email?.data).toMatchObject({ name: 'Ingrid Ek', employerName: 'Statens arkivverk' });
    expect(email?.data.codes).toEqual([
      { code: '77001', name: 'Centralen', active: true },
      { code: '77002', name: 'Filialen', active: false },
    ]);
    const link = String(email?.data.link);
    expect(link).toMatch(/^http:\/\/localhost:3000\/bestallare\/inbjudan\/[A-Za-z0-9_-]{43}$/);
    const token = link.split('/').at(-1) ?? '';
    expect(createHash('sha256').update(token).digest('hex')).toBe(application.invitation_token_hash);
    expect(JSON.stringify(email?.data)).not.toContain(ORDERER);

    const audit = await testApp.db('audit_log').where({ action: 'orderer_application.registered' }).first<AuditRow>();
    expect(audit).toMatchObject({ actor_role: 'staff', subject_id: applicationId, employer_id: employerId });
    expect(audit.request_id).toBeTruthy();

    const list = $(await staff.get(p.staff.applications).expect(200));
    expect(list(`tr[data-application-id="${applicationId}"] td[data-status]`).attr('data-status')).toBe('invited');
  });

  it('the link alone grants nothing: not logged in, it asks for the e-ID login', async () => {
    const path = await invitationPath(testApp.db, 'ingrid.ek@arkiv.example');
    const page = $(await request(testApp.app).get(path).expect(200));
    expect(page('h1')).toHaveLength(1);
    expect(page('[data-testid=login]').attr('href')).toBe('/logga-in');
    expect(page.text()).not.toContain('Ingrid');
  });

  it('the named person fills in the steps, with the input checked and progress kept', async () => {
    const orderer = await personAgent(testApp, ORDERER);
    await openInvitation(orderer, await invitationPath(testApp.db, 'ingrid.ek@arkiv.example'));
    const form = await orderer.get(p.form).expect(303);
    expect(form.headers.location).toBe(p.details);

    const details = $(await orderer.get(p.details).expect(200));
    expect(details('h1')).toHaveLength(1);
    expect(details('[data-testid=steps] li[aria-current=step]').text()).toContain('1');
    expect(
      details('[data-testid=codes] li')
        .map((_, li) => details(li).text())
        .get(),
    ).toEqual(['77001 Centralen', '77002 Filialen (avslutad)']);
    expect(details('fieldset legend').first().text()).toContain('utse administratörer');

    const invalid = await postForm(orderer, p.details, p.details, {
      handledByOrderer: 'no',
      delegateName: 'Olle Delegat',
      delegatePersonalIdentityNumber: `${DELEGATE.slice(0, 11)}${(Number(DELEGATE.at(-1)) + 1) % 10}`,
      delegateEmail: 'inte-en-adress',
    });
    expect(invalid.status).toBe(422);
    const errors = $(invalid);
    expect(
      errors('[data-testid=error-summary] a')
        .map((_, a) => errors(a).attr('href'))
        .get(),
    ).toEqual(['#delegatePersonalIdentityNumber', '#delegateEmail']);
    expect(errors('#delegateName').val()).toBe('Olle Delegat');
    expect((await applicationRow(testApp.db, applicationId)).submitted_form).toBeNull();

    const self = await postForm(orderer, p.details, p.details, {
      handledByOrderer: 'no',
      delegateName: 'Ingrid Ek',
      delegatePersonalIdentityNumber: ORDERER,
      delegateEmail: 'ingrid.ek@arkiv.example',
    });
    expect(self.status).toBe(422);
    expect($(self)('[data-testid=error-summary] a').attr('href')).toBe('#delegatePersonalIdentityNumber');

    await fillDetails(orderer, { name: 'Olle Delegat', personalIdentityNumber: DELEGATE, email: 'olle@arkiv.example' });

    // leaving and coming back resumes at step 2
    const again = await personAgent(testApp, ORDERER);
    await openInvitation(again, await invitationPath(testApp.db, 'ingrid.ek@arkiv.example'));
    expect((await again.get(p.form).expect(303)).headers.location).toBe(p.terms);
    const back = $(await again.get(p.details).expect(200));
    expect(back('#handledByOrderer-no').attr('checked')).toBeDefined();
    expect(back('#delegateName').val()).toBe('Olle Delegat');

    const terms = $(await again.get(p.terms).expect(200));
    expect(terms('[data-testid=terms]').text()).toContain('Arbetsgivarens ansvar för behörigheter');
    const unaccepted = await postForm(again, p.terms, p.terms, { termsVersion: '2020-03' });
    expect(unaccepted.status).toBe(422);
    expect($(unaccepted)('[data-testid=error-summary] a').attr('href')).toBe('#accept');
    await acceptTerms(again);
    const application = await applicationRow(testApp.db, applicationId);
    expect(application.terms_accepted_at).not.toBeNull();
    expect(application.status).toBe('invited');
  });

  it('signs with e-ID: the message shows the form and its hash; the orderer and delegate become active', async () => {
    const orderer = await personAgent(testApp, ORDERER);
    await openInvitation(orderer, await invitationPath(testApp.db, 'ingrid.ek@arkiv.example'));
    const review = $(await orderer.get(p.review).expect(200));
    expect(review('[data-testid=summary-delegate]').text()).toContain('Olle Delegat');
    expect(review('[data-testid=summary-terms]').text()).toContain('2020-03');

    const { returnPath, page } = await signWithEid(orderer, ORDERER);
    expect(returnPath).toMatch(/^\/bestallare\/formular\/signatur\?signature=_/);
    const shown = page.text();
    for (const text of ['Ingrid Ek', 'Statens arkivverk', '77001 Centralen', 'Olle Delegat', 'version 2020-03']) {
      expect(shown).toContain(text);
    }

    const wakeUps = testApp.mail.wakeUps;
    const done = await orderer.get(returnPath);
    expect(done.status).toBe(303);
    // the activation happens on this GET: its emails are sent at once, not at the next minute's round
    expect(testApp.mail.wakeUps).toBe(wakeUps + 1);
    expect(done.headers.location).toBe(p.confirmation);
    const confirmation = $(await orderer.get(p.confirmation).expect(200));
    expect(confirmation('[data-testid=active]')).toHaveLength(1);
    expect(confirmation('[data-testid=steps] li[aria-current=step]').text()).toContain('4');

    const application = await applicationRow(testApp.db, applicationId);
    expect(application.status).toBe('active');
    expect(application.submitted_at).not.toBeNull();
    const terms = await testApp
      .db('terms_versions')
      .where({ id: application.accepted_terms_version_id })
      .first<{ version: string }>('version');
    expect(terms.version).toBe('2020-03');
    expect(application.submitted_form?.delegate).toEqual({
      name: 'Olle Delegat',
      personalIdentityNumber: DELEGATE,
      email: 'olle@arkiv.example',
    });

    const ordererPerson = await personRow(testApp.db, ORDERER);
    const delegatePerson = await personRow(testApp.db, DELEGATE);
    expect(delegatePerson).toMatchObject({ display_name: 'Olle Delegat', email: 'olle@arkiv.example' });
    const roles = await testApp
      .db('role_assignments')
      .where({ employer_id: employerId })
      .whereNull('revoked_at')
      .select<RoleRow[]>('*');
    expect(roles.map((role) => [role.role, role.person_id, role.application_id]).sort()).toEqual([
      ['delegate', delegatePerson.id, applicationId],
      ['orderer', ordererPerson.id, applicationId],
    ]);

    const signature = await signatureRow(testApp.db, applicationId);
    if (!signature?.sign_message) throw new Error('no e-ID signature');
    const hash = createHash('sha256').update(canonicalJson(application.submitted_form)).digest('hex');
    expect(signature).toMatchObject({ method: 'eid', signer_person_id: ordererPerson.id, form_content_hash: hash });
    expect(signature.sign_message).toContain('Ingrid Ek');
    expect(signature.sign_message).toContain(hash);
    expect(signature.sign_message_digest).toBe(
      `${SHA256};${createHash('sha256').update(signature.sign_message, 'utf8').digest('base64')}`,
    );
    expect(signature.assertion_xml).toContain(ATTRIBUTES.signMessageDigest);
    expect(signature.saml_request_id).toBe(new URL(returnPath, 'http://x').searchParams.get('signature'));

    const actions = (
      await testApp
        .db('audit_log')
        .where({ subject_id: applicationId })
        .orWhereIn(
          'subject_id',
          roles.map((role) => role.id),
        )
        .select<AuditRow[]>('*')
    ).map((row) => `${row.actor_role}:${row.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'staff:orderer_application.registered',
        'orderer:orderer_application.details_saved',
        'orderer:orderer_application.terms_accepted',
        'orderer:orderer_application.activated',
        'orderer:orderer.appointed',
        'orderer:delegate.appointed',
      ]),
    );

    const activated = await outbox(testApp.db, 'orderer-activated');
    expect(activated.map((row) => row.recipient_email)).toEqual(['ingrid.ek@arkiv.example']);
    expect(activated[0]?.data).toMatchObject({
      name: 'Ingrid Ek',
      employerName: 'Statens arkivverk',
      delegateName: 'Olle Delegat',
    });
    const delegated = await outbox(testApp.db, 'delegate-appointed');
    expect(delegated.map((row) => row.recipient_email)).toEqual(['olle@arkiv.example']);

    // every email carries what its template needs
    for (const row of await testApp.db('outbox').select<{ template: string; data: unknown }[]>('template', 'data')) {
      expect(isMailTemplate(row.template)).toBe(true);
      if (isMailTemplate(row.template)) expect(MAIL_TEMPLATES[row.template].safeParse(row.data).success).toBe(true);
    }
    expect(activated[0]?.data.link).toBe('http://localhost:3000/oversikt');

    // a second return of the same signature changes nothing
    const before = await snapshot(testApp.db);
    expect((await orderer.get(returnPath)).status).toBe(303);
    expect(await snapshot(testApp.db)).toEqual(before);
  });

  it('refuses the used link, with its page, and changes nothing', async () => {
    const before = await snapshot(testApp.db);
    const orderer = await personAgent(testApp, ORDERER);
    const after = await snapshot(testApp.db);
    const response = await orderer.get(await invitationPath(testApp.db, 'ingrid.ek@arkiv.example'));
    expect(response.status).toBe(409);
    expect($(response)('[data-testid=refusal]').attr('data-refusal')).toBe('used');
    expect(await snapshot(testApp.db)).toEqual(after);
    expect(after.applications).toEqual(before.applications);
    expect((await orderer.get(p.details)).status).toBe(400);
  });
});

describe('the staff form', () => {
  it('refuses invalid input with the error summary, keeps the input and stores nothing', async () => {
    const staff = await staffAgent(testApp);
    const before = await snapshot(testApp.db);
    const response = await postForm(staff, p.staff.newApplication, p.staff.newApplication, {
      employerId: '',
      name: '  ',
      title: 'Ekonomichef',
      personalIdentityNumber: '19800101-1235',
      email: 'fel@',
    });
    expect(response.status).toBe(422);
    const page = $(response);
    expect(
      page('[data-testid=error-summary] a')
        .map((_, a) => page(a).attr('href'))
        .get(),
    ).toEqual(['#employerId', '#name', '#personalIdentityNumber', '#email']);
    expect(page('#title').val()).toBe('Ekonomichef');
    expect(page('#personalIdentityNumber').attr('aria-invalid')).toBe('true');
    expect(await snapshot(testApp.db)).toEqual(before);
  });

  it('is for staff only', async () => {
    const orderer = await personAgent(testApp, ORDERER);
    expect((await orderer.get(p.staff.applications)).status).toBe(403);
    expect((await orderer.get(p.staff.newApplication)).status).toBe(403);
    const anonymous = request(testApp.app);
    expect((await anonymous.get(p.staff.applications)).headers.location).toBe('/logga-in');
  });
});
