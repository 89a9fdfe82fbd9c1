import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMPLOYER, loadDemoData } from '../../src/demo/seed';
import { buildTestApp, type TestApp } from '../helpers/app';
import {
  $,
  applicationRow,
  personRow,
  signatureRow,
  type AuditRow,
  type RoleRow,
  type PersonRow,
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
  snapshot,
  staffAgent,
  signWithEid,
} from './helpers';
import { pdfText } from './pdf-text';

const PAPER_ORDERER = pnr('19690707678');
const NEW_ORDERER = pnr('19720808789');
const OLD_ORDERER = '191212102824';
const OLD_DELEGATE = '191212091357';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
});

const binary = (response: { body: unknown }) => new Uint8Array(response.body as Buffer);

describe('the paper path', () => {
  it('gives a PDF of the form with the reference and address; staff record it and the orderer becomes active', async () => {
    const employerId = await insertEmployer(testApp.db, {
      organisationNumber: orgNumber('202100345'),
      name: 'Statens väginstitut',
      codes: [{ code: '66001', name: 'Väg och bana' }],
    });
    const staff = await staffAgent(testApp);
    const applicationId = await registerApplication(staff, {
      employerId,
      name: 'Åsa Öberg',
      title: 'Generaldirektör',
      personalIdentityNumber: PAPER_ORDERER,
      email: 'asa@vag.example',
    });
    const orderer = await personAgent(testApp, PAPER_ORDERER);
    await openInvitation(orderer, await invitationPath(testApp.db, 'asa@vag.example'));
    await fillDetails(orderer);
    await acceptTerms(orderer);

    const chosen = await postForm(orderer, p.review, p.paper, {});
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe(p.confirmation);
    const application = await applicationRow(testApp.db, applicationId);
    expect(application.status).toBe('awaiting_paper');
    expect(application.submitted_form).toMatchObject({
      handledByOrderer: true,
      delegate: null,
      termsVersion: '2020-03',
    });

    const confirmation = $(await orderer.get(p.confirmation).expect(200));
    const reference = /BB-[0-9A-F]{10}/.exec(confirmation('[data-testid=reference]').text())?.[0] ?? '';
    expect(reference).not.toBe('');
    expect(confirmation('[data-testid=pdf]').attr('href')).toBe(p.paperPdf);

    const pdf = await orderer
      .get(p.paperPdf)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
        });
        res.on('end', () => {
          done(null, Buffer.concat(chunks));
        });
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const text = await pdfText(binary(pdf));
    for (const expected of [
      'Åsa Öberg',
      'Generaldirektör',
      'Statens väginstitut',
      '66001 Väg och bana',
      reference,
      '851 90 Sundsvall',
    ]) {
      expect(text).toContain(expected);
    }
    // the signing steps are closed now; the link leads to the confirmation
    expect((await orderer.get(p.review)).status).toBe(409);
    expect(await testApp.db('role_assignments').where({ employer_id: employerId })).toHaveLength(0);

    const show = `${p.staff.applications}/${applicationId}`;
    const unchecked = await postForm(staff, show, `${show}/pappersblankett`, {});
    expect(unchecked.status).toBe(422);
    expect($(unchecked)('[data-testid=error-summary] a').attr('href')).toBe('#checked');
    expect((await applicationRow(testApp.db, applicationId)).status).toBe('awaiting_paper');

    const recorded = await postForm(staff, show, `${show}/pappersblankett`, { checked: 'yes' });
    expect(recorded.status).toBe(303);
    expect((await applicationRow(testApp.db, applicationId)).status).toBe('active');
    const staffPerson = await personRow(testApp.db, '191212112427');
    const person = await personRow(testApp.db, PAPER_ORDERER);
    const signature = await signatureRow(testApp.db, applicationId);
    expect(signature).toMatchObject({
      method: 'paper',
      recorded_by_person_id: staffPerson.id,
      signer_person_id: person.id,
    });
    expect(
      await testApp
        .db('role_assignments')
        .where({ employer_id: employerId, role: 'orderer' })
        .whereNull('revoked_at')
        .select<RoleRow[]>('*'),
    ).toHaveLength(1);
    const activated = await testApp
      .db('audit_log')
      .where({ action: 'orderer_application.activated', subject_id: applicationId })
      .first<AuditRow>();
    expect(activated).toMatchObject({ actor_role: 'staff', actor_person_id: staffPerson.id });
    expect((await outbox(testApp.db, 'orderer-activated')).map((row) => row.recipient_email)).toContain(
      'asa@vag.example',
    );
    expect(await outbox(testApp.db, 'delegate-appointed')).toHaveLength(0);

    // recording twice changes nothing
    const before = await snapshot(testApp.db);
    expect((await postForm(staff, show, `${show}/pappersblankett`, { checked: 'yes' })).status).toBe(409);
    expect(await snapshot(testApp.db)).toEqual(before);
  });
});

describe('a change of orderer', () => {
  it('replaces the previous orderer when the new one is active: role ended, history kept', async () => {
    const employer = await testApp
      .db('employers')
      .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
      .first<{ id: string }>('id');
    const oldApplication = await testApp
      .db('orderer_applications')
      .where({ employer_id: employer.id, status: 'active' })
      .first<{ id: string }>('id');
    const oldRoles = await testApp
      .db('role_assignments')
      .where({ employer_id: employer.id })
      .whereIn('role', ['orderer', 'delegate'])
      .whereNull('revoked_at')
      .select<RoleRow[]>('*');
    expect(oldRoles).toHaveLength(2);

    const staff = await staffAgent(testApp);
    const applicationId = await registerApplication(staff, {
      employerId: employer.id,
      name: 'Nils Nyberg',
      title: 'HR-direktör',
      personalIdentityNumber: NEW_ORDERER,
      email: 'nils@kulturarvsdata.example',
    });
    const invitation = (await outbox(testApp.db, 'orderer-invitation')).at(-1);
    // the demo codes all have administrators: none is listed as needing one
    expect(invitation?.data.codes).toEqual([]);

    // while the new one is not yet active, the old orderer keeps the role
    expect(
      await testApp
        .db('role_assignments')
        .whereIn(
          'id',
          oldRoles.map((role) => role.id),
        )
        .whereNull('revoked_at')
        .select<RoleRow[]>('*'),
    ).toHaveLength(2);

    const orderer = await personAgent(testApp, NEW_ORDERER);
    await openInvitation(orderer, await invitationPath(testApp.db, 'nils@kulturarvsdata.example'));
    await fillDetails(orderer);
    await acceptTerms(orderer);
    const { returnPath } = await signWithEid(orderer, NEW_ORDERER);
    expect((await orderer.get(returnPath)).headers.location).toBe(p.confirmation);

    expect((await applicationRow(testApp.db, oldApplication.id)).status).toBe('replaced');
    expect((await applicationRow(testApp.db, applicationId)).status).toBe('active');
    const ended = await testApp
      .db('role_assignments')
      .whereIn(
        'id',
        oldRoles.map((role) => role.id),
      )
      .select<RoleRow[]>('*');
    expect(ended).toHaveLength(2);
    for (const role of ended) expect(role.revoked_at).not.toBeNull();
    const current = await testApp
      .db('role_assignments as r')
      .join('persons as p', 'p.id', 'r.person_id')
      .where({ 'r.employer_id': employer.id })
      .whereIn('r.role', ['orderer', 'delegate'])
      .whereNull('r.revoked_at')
      .select<{ role: string; personal_identity_number: string }[]>('r.role', 'p.personal_identity_number');
    expect(current).toEqual([{ role: 'orderer', personal_identity_number: NEW_ORDERER }]);
    const persons = await testApp
      .db('persons')
      .whereIn('personal_identity_number', [OLD_ORDERER, OLD_DELEGATE])
      .select<PersonRow[]>('*');
    expect(persons).toHaveLength(2);
    const audit = await testApp
      .db('audit_log')
      .whereIn('action', ['orderer_application.replaced', 'orderer.revoked', 'delegate.revoked'])
      .select<AuditRow[]>('*');
    expect(audit.map((row) => row.action).sort()).toEqual([
      'delegate.revoked',
      'orderer.revoked',
      'orderer_application.replaced',
    ]);

    const list = $(await staff.get(p.staff.applications).expect(200));
    expect(list(`tr[data-application-id="${oldApplication.id}"] td[data-status]`).attr('data-status')).toBe('replaced');
  });
});
