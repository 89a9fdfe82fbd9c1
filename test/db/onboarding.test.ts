import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import {
  databaseError,
  insertActiveApplication,
  insertApplication,
  insertEmployer,
  insertPerson,
  insertStaff,
  submitted,
  tokenHash,
  withWrongCheckDigit,
  personalIdentityNumber,
} from './fixtures';

const { db } = await freshDatabase();

describe('terms versions', () => {
  it('are seeded with the 2020-03 general terms in Swedish and English', async () => {
    const terms = await db('terms_versions')
      .where({ version: '2020-03' })
      .first<{ body_sv: string; body_en: string; published_at: Date } | undefined>(
        'body_sv',
        'body_en',
        'published_at',
      );
    expect(terms?.body_sv).toMatch(/korrekta och aktuella/);
    expect(terms?.body_sv).toMatch(/Informationssäkerhetsincidenter/);
    expect(terms?.body_en).toMatch(/correct and current/);
    expect(terms?.published_at).toEqual(new Date('2020-02-29T23:00:00Z'));
  });

  it('refuse a version published twice', async () => {
    const terms = { version: '2020-03', body_sv: 'Villkor', body_en: 'Terms', published_at: new Date() };
    expect(await databaseError(db('terms_versions').insert(terms))).toMatchObject({
      code: '23505',
      constraint: 'terms_versions_version_key',
    });
  });
});

describe('orderer applications', () => {
  it('refuse a personal identity number with a wrong check digit', async () => {
    const employer = await insertEmployer(db);
    const number = withWrongCheckDigit(personalIdentityNumber());
    expect(await databaseError(insertApplication(db, employer.id, { personal_identity_number: number }))).toMatchObject(
      {
        code: '23514',
        constraint: 'orderer_applications_personal_identity_number_check',
      },
    );
  });

  it('refuse an unknown status', async () => {
    const employer = await insertEmployer(db);
    expect(await databaseError(insertApplication(db, employer.id, { status: 'approved' }))).toMatchObject({
      code: '23514',
      constraint: 'orderer_applications_status_check',
    });
  });

  it('refuse an invitation without a token hash or an expiry', async () => {
    const employer = await insertEmployer(db);
    for (const missing of ['invitation_token_hash', 'invitation_expires_at']) {
      expect(await databaseError(insertApplication(db, employer.id, { [missing]: null }))).toMatchObject({
        code: '23514',
        constraint: 'orderer_applications_invitation_check',
      });
    }
  });

  it('refuse the same invitation token hash twice', async () => {
    const hash = tokenHash();
    await insertApplication(db, (await insertEmployer(db)).id, { invitation_token_hash: hash });
    expect(
      await databaseError(insertApplication(db, (await insertEmployer(db)).id, { invitation_token_hash: hash })),
    ).toMatchObject({ code: '23505', constraint: 'orderer_applications_invitation_token_hash_key' });
  });

  it('allow one open application per employer, and a new one once it is closed', async () => {
    const employer = await insertEmployer(db);
    const first = await insertApplication(db, employer.id);
    expect(await databaseError(insertApplication(db, employer.id))).toMatchObject({
      code: '23505',
      constraint: 'orderer_applications_one_open_per_employer_idx',
    });
    const awaitingPaper = { ...(await submitted(db)), status: 'awaiting_paper' };
    await db('orderer_applications').where({ id: first.id }).update(awaitingPaper);
    expect(await databaseError(insertApplication(db, employer.id))).toMatchObject({ code: '23505' });
    await db('orderer_applications').where({ id: first.id }).update({ status: 'cancelled' });
    await insertApplication(db, employer.id);
  });

  it('allow one active application per employer', async () => {
    const employer = await insertEmployer(db);
    const first = await insertActiveApplication(db, employer.id);
    expect(await databaseError(insertActiveApplication(db, employer.id))).toMatchObject({
      code: '23505',
      constraint: 'orderer_applications_one_active_per_employer_idx',
    });
    await db('orderer_applications').where({ id: first.id }).update({ status: 'replaced' });
    await insertActiveApplication(db, employer.id);
  });

  it.each(['signed_eid', 'awaiting_paper', 'active'])(
    'refuse status %s before terms and form are sent',
    async (status) => {
      const employer = await insertEmployer(db);
      const application = await insertApplication(db, employer.id);
      expect(await databaseError(db('orderer_applications').where(application).update({ status }))).toMatchObject({
        code: '23514',
        constraint: 'orderer_applications_submitted_check',
      });
    },
  );

  it('refuse a registration by someone who is not staff', async () => {
    const employer = await insertEmployer(db);
    const person = await insertPerson(db);
    expect(
      await databaseError(insertApplication(db, employer.id, { registered_by_person_id: person.id })),
    ).toMatchObject({ code: '23503' });
    const staff = await insertStaff(db);
    await insertApplication(db, employer.id, { registered_by_person_id: staff.id });
  });
});

describe('signatures', () => {
  const eidSignature = {
    method: 'eid',
    signed_at: new Date(),
    form_content_hash: 'sha256:3f1a',
    sign_message: 'Jag bekräftar att jag är behörig beställare. Formulär: sha256:3f1a',
    sign_message_digest: 'http://www.w3.org/2001/04/xmlenc#sha256;0yKaSVsYeh+PX2Q6diqO2w89+a3Dm303tp3AVjgxwj0=',
    assertion_xml: '<saml2:Assertion/>',
  };

  async function applicationAndSigner(): Promise<{ application_id: string; signer_person_id: string }> {
    const employer = await insertEmployer(db);
    const application = await insertApplication(db, employer.id);
    const signer = await insertPerson(db);
    return { application_id: application.id, signer_person_id: signer.id };
  }

  it('accept an e-ID signature with its evidence, and refuse one without', async () => {
    const ids = await applicationAndSigner();
    for (const missing of [
      'sign_message',
      'sign_message_digest',
      'assertion_xml',
      'saml_request_id',
      'signer_person_id',
    ]) {
      const row = { ...eidSignature, ...ids, saml_request_id: `_${tokenHash()}`, [missing]: null };
      expect(await databaseError(db('signatures').insert(row)), missing).toMatchObject({
        code: '23514',
        constraint: 'signatures_eid_evidence_check',
      });
    }
    await db('signatures').insert({ ...eidSignature, ...ids, saml_request_id: `_${tokenHash()}` });
  });

  it('refuse two signatures from the same SAML request', async () => {
    const ids = await applicationAndSigner();
    const requestId = `_${tokenHash()}`;
    await db('signatures').insert({ ...eidSignature, ...ids, saml_request_id: requestId });
    expect(
      await databaseError(db('signatures').insert({ ...eidSignature, ...ids, saml_request_id: requestId })),
    ).toMatchObject({ code: '23505', constraint: 'signatures_saml_request_id_key' });
  });

  it('refuse a paper signature not recorded by staff', async () => {
    const { application_id } = await applicationAndSigner();
    const paper = { application_id, method: 'paper', signed_at: new Date(), form_content_hash: 'sha256:3f1a' };
    expect(await databaseError(db('signatures').insert(paper))).toMatchObject({
      code: '23514',
      constraint: 'signatures_paper_evidence_check',
    });
    const notStaff = await insertPerson(db);
    expect(
      await databaseError(db('signatures').insert({ ...paper, recorded_by_person_id: notStaff.id })),
    ).toMatchObject({ code: '23503' });
    const staff = await insertStaff(db);
    await db('signatures').insert({ ...paper, recorded_by_person_id: staff.id });
  });

  it('refuse a paper signature carrying e-ID evidence', async () => {
    const { application_id } = await applicationAndSigner();
    const staff = await insertStaff(db);
    const row = { ...eidSignature, application_id, method: 'paper', recorded_by_person_id: staff.id };
    expect(await databaseError(db('signatures').insert(row))).toMatchObject({
      code: '23514',
      constraint: 'signatures_paper_evidence_check',
    });
  });
});
