import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { DEMO_ADMINISTRATORS, DEMO_EMPLOYER, DEMO_GRANTS, DEMO_PERSONS, type DemoPerson } from './data';

export { DEMO_EMPLOYER, DEMO_PERSONS, type DemoPerson, type DemoRole } from './data';

const TERMS_VERSION = '2020-03';
const SHA256_URI = 'http://www.w3.org/2001/04/xmlenc#sha256';

/**
 * Loads the demo employer, its codes and a person in every role. Safe to run on every start: rows that exist are
 * left as they are (each demo row has a fixed id, persons and employers are found by their numbers), so what a
 * developer changed through the portal stays changed.
 */
export async function loadDemoData(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    const people = await insertPersons(trx);
    const employerId = await insertEmployer(trx);
    const codes = await insertCodes(trx, employerId);
    await trx('staff')
      .insert({ person_id: people.id('staff'), added_at: '2019-11-01T08:00:00+01:00' })
      .onConflict('person_id')
      .ignore();
    const applicationId = await onboardOrderer(trx, employerId, people);
    await appointRoles(trx, employerId, applicationId, codes, people);
    await grantPermissions(trx, codes, people);
  });
}

/** A fixed id for a demo row: a SHA-256 of its name laid out as a version 5 UUID. */
function demoId(name: string): string {
  const hex = sha256(`demo:${name}`).toString('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

class Lookup {
  constructor(
    private readonly what: string,
    private readonly ids: ReadonlyMap<string, string>,
  ) {}

  id(key: string): string {
    const id = this.ids.get(key);
    if (!id) throw new Error(`demo data: no ${this.what} ${key}`);
    return id;
  }
}

function person(key: string): DemoPerson {
  const found = DEMO_PERSONS.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`demo data: no person ${key}`);
  return found;
}

async function insertPersons(trx: Knex.Transaction): Promise<Lookup> {
  const rows = DEMO_PERSONS.map((demo) => ({
    personal_identity_number: demo.personalIdentityNumber,
    given_name: demo.givenName,
    family_name: demo.familyName,
    display_name: `${demo.givenName} ${demo.familyName}`,
    email: demo.email,
    phone: demo.phone,
    preferred_language: demo.preferredLanguage,
    // one user has been away long enough for the 18-month reminders
    last_login_at: trx.raw(demo.key === 'user-inactive' ? "now() - interval '20 months'" : "now() - interval '2 days'"),
  }));
  await trx('persons').insert(rows).onConflict('personal_identity_number').ignore();
  const numbers = DEMO_PERSONS.map((demo) => demo.personalIdentityNumber);
  const found = await trx('persons')
    .whereIn('personal_identity_number', numbers)
    .select<{ id: string; personal_identity_number: string }[]>('id', 'personal_identity_number');
  const keyOf = new Map(DEMO_PERSONS.map((demo) => [demo.personalIdentityNumber, demo.key]));
  return new Lookup('person', new Map(found.map((row) => [keyOf.get(row.personal_identity_number) ?? '', row.id])));
}

async function insertEmployer(trx: Knex.Transaction): Promise<string> {
  await trx('employers')
    .insert({
      organisation_number: DEMO_EMPLOYER.organisationNumber,
      name: DEMO_EMPLOYER.name,
      registry_email: DEMO_EMPLOYER.registryEmail,
    })
    .onConflict('organisation_number')
    .ignore();
  const row = await trx('employers')
    .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
    .first<{ id: string } | undefined>('id');
  if (!row) throw new Error('demo data: no employer');
  return row.id;
}

async function insertCodes(trx: Knex.Transaction, employerId: string): Promise<Lookup> {
  const rows = DEMO_EMPLOYER.codes.map((code) => ({
    employer_id: employerId,
    code: code.code,
    name: code.name,
    active: code.active,
    closed_on: code.closedOn,
  }));
  await trx('employer_codes').insert(rows).onConflict('code').ignore();
  const found = await trx('employer_codes')
    .where({ employer_id: employerId })
    .whereIn(
      'code',
      rows.map((row) => row.code),
    )
    .select<{ id: string; code: string }[]>('id', 'code');
  return new Lookup('employer code', new Map(found.map((row) => [row.code, row.id])));
}

/** The orderer's application as it stands after signing with e-ID, with the signature as evidence. */
async function onboardOrderer(trx: Knex.Transaction, employerId: string, people: Lookup): Promise<string> {
  const orderer = person('orderer');
  const delegate = person('delegate');
  const terms = await trx('terms_versions').where({ version: TERMS_VERSION }).first<{ id: string } | undefined>('id');
  if (!terms) throw new Error(`demo data: no terms version ${TERMS_VERSION}`);
  const form = {
    employer: { organisationNumber: DEMO_EMPLOYER.organisationNumber, name: DEMO_EMPLOYER.name },
    employerCodes: DEMO_EMPLOYER.codes.map((code) => code.code),
    orderer: {
      name: `${orderer.givenName} ${orderer.familyName}`,
      title: 'Personalchef',
      personalIdentityNumber: orderer.personalIdentityNumber,
      email: orderer.email,
    },
    handledByOrderer: false,
    delegate: {
      name: `${delegate.givenName} ${delegate.familyName}`,
      personalIdentityNumber: delegate.personalIdentityNumber,
      email: delegate.email,
    },
    termsVersion: TERMS_VERSION,
  };
  const formHash = sha256(JSON.stringify(form)).toString('hex');
  const applicationId = demoId('application:orderer');
  await trx('orderer_applications')
    .insert({
      id: applicationId,
      employer_id: employerId,
      name: form.orderer.name,
      title: form.orderer.title,
      personal_identity_number: orderer.personalIdentityNumber,
      email: orderer.email,
      phone: orderer.phone,
      status: 'active',
      registered_by_person_id: people.id('staff'),
      accepted_terms_version_id: terms.id,
      terms_accepted_at: '2020-01-22T13:58:00+01:00',
      submitted_form: form,
      submitted_at: '2020-01-22T14:00:00+01:00',
      created_at: '2020-01-20T09:30:00+01:00',
      updated_at: '2020-01-22T14:02:00+01:00',
    })
    .onConflict()
    .ignore();

  const signMessage =
    `Jag, ${form.orderer.name}, bekräftar att jag är behörig beställare för ${DEMO_EMPLOYER.name} ` +
    `(organisationsnummer ${DEMO_EMPLOYER.organisationNumber.slice(0, 6)}-${DEMO_EMPLOYER.organisationNumber.slice(6)}) ` +
    `och godkänner de allmänna villkoren för SPV:s självbetjäningstjänster, version ${TERMS_VERSION}. ` +
    `Formulärets kontrollsumma (SHA-256): ${formHash}`;
  await trx('signatures')
    .insert({
      id: demoId('signature:orderer'),
      application_id: applicationId,
      method: 'eid',
      signer_person_id: people.id('orderer'),
      signed_at: '2020-01-22T14:02:00+01:00',
      form_content_hash: formHash,
      sign_message: signMessage,
      sign_message_digest: `${SHA256_URI};${sha256(signMessage).toString('base64')}`,
      assertion_xml:
        '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_demo-orderer-signature">' +
        '<!-- demo data: not a real assertion --></saml2:Assertion>',
      saml_request_id: '_demo-orderer-signature-request',
    })
    .onConflict()
    .ignore();
  return applicationId;
}

async function appointRoles(
  trx: Knex.Transaction,
  employerId: string,
  applicationId: string,
  codes: Lookup,
  people: Lookup,
): Promise<void> {
  const signedAt = '2020-01-22T14:02:00+01:00';
  const rows = [
    { id: demoId('role:orderer'), person_id: people.id('orderer'), role: 'orderer', appointed_at: signedAt },
    {
      id: demoId('role:delegate'),
      person_id: people.id('delegate'),
      role: 'delegate',
      appointed_by_person_id: people.id('orderer'),
      appointed_at: signedAt,
    },
  ].map((row) => ({ employer_id: employerId, application_id: applicationId, ...row }));
  const administrators = DEMO_ADMINISTRATORS.flatMap((administrator) =>
    administrator.codes.map((code) => ({
      id: demoId(`role:administrator:${administrator.person}:${code}`),
      person_id: people.id(administrator.person),
      employer_id: employerId,
      employer_code_id: codes.id(code),
      role: 'administrator',
      appointed_by_person_id: people.id('delegate'),
      appointed_at: '2020-02-03T10:00:00+01:00',
    })),
  );
  await trx('role_assignments')
    .insert([...rows, ...administrators])
    .onConflict()
    .ignore();
}

async function grantPermissions(trx: Knex.Transaction, codes: Lookup, people: Lookup): Promise<void> {
  const services = await trx('services').select<{ id: string; key: string }[]>('id', 'key');
  const serviceIds = new Lookup('service', new Map(services.map((service) => [service.key, service.id])));
  const rows = DEMO_GRANTS.map((grant) => ({
    id: demoId(`permission:${grant.person}:${grant.code}:${grant.service}`),
    person_id: people.id(grant.person),
    employer_code_id: codes.id(grant.code),
    service_id: serviceIds.id(grant.service),
    granted_by_person_id: grant.grantedBy ? people.id(grant.grantedBy) : null,
    granted_at: grant.grantedAt,
    source: grant.grantedBy ? 'portal' : 'import',
  }));
  await trx('permissions').insert(rows).onConflict().ignore();
}
