import * as cheerio from 'cheerio';
import type { Knex } from 'knex';
import request, { type Agent, type Response } from 'supertest';
import { expect } from 'vitest';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import { parseXml } from '../../src/auth/xml';
import { paths } from '../../src/paths';
import type { OrdererForm } from '../../src/onboarding/form-content';
import type { ApplicationRow } from '../../src/onboarding/repository';
import type { TestApp } from '../helpers/app';
import { answerAtIdp, local, loginWithEid } from '../helpers/eid';

export const STAFF = '191212112427';
export const p = paths.onboarding;

/** A valid 12-digit personal identity number from its first 11 digits. */
export const pnr = (first11: string): string => `${first11}${luhnCheckDigit(first11.slice(2))}`;

/** A valid 10-digit organisation number from its first 9 digits. */
export const orgNumber = (first9: string): string => `${first9}${luhnCheckDigit(first9)}`;

export async function staffAgent(testApp: TestApp): Promise<Agent> {
  const agent = request.agent(testApp.app);
  await loginWithEid(agent, STAFF);
  return agent;
}

export async function personAgent(testApp: TestApp, personalIdentityNumber: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  await loginWithEid(agent, personalIdentityNumber);
  return agent;
}

export async function csrfOf(agent: Agent, path: string): Promise<string> {
  const page = await agent.get(path).expect(200);
  const token = cheerio.load(page.text)('input[name=_csrf]').first().val();
  if (typeof token !== 'string') throw new Error(`no _csrf on ${path}`);
  return token;
}

export async function postForm(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  const csrf = await csrfOf(agent, pagePath);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

export async function insertEmployer(
  db: Knex,
  employer: { organisationNumber: string; name: string; codes: { code: string; name: string; active?: boolean }[] },
): Promise<string> {
  const [row] = await db('employers')
    .insert({ organisation_number: employer.organisationNumber, name: employer.name })
    .returning<{ id: string }[]>('id');
  if (!row) throw new Error('no employer');
  for (const code of employer.codes) {
    await db('employer_codes').insert({
      employer_id: row.id,
      code: code.code,
      name: code.name,
      active: code.active ?? true,
      closed_on: code.active === false ? '2019-12-31' : null,
    });
  }
  return row.id;
}

export interface Applicant {
  employerId: string;
  name: string;
  title: string;
  personalIdentityNumber: string;
  email: string;
}

/** Staff register an application; gives its id (from the redirect). */
export async function registerApplication(staff: Agent, applicant: Applicant): Promise<string> {
  const response = await postForm(staff, p.staff.newApplication, p.staff.newApplication, { ...applicant });
  expect(response.status, response.text).toBe(303);
  const match = /\/handlaggare\/ansokningar\/([0-9a-f-]{36})\?done=registered$/.exec(String(response.headers.location));
  if (!match?.[1]) throw new Error(`unexpected redirect ${String(response.headers.location)}`);
  return match[1];
}

interface OutboxRow {
  id: string;
  recipient_email: string;
  template: string;
  data: Record<string, unknown>;
}

export function outbox(db: Knex, template: string): Promise<OutboxRow[]> {
  return db('outbox')
    .where({ template })
    .orderBy('id')
    .select<OutboxRow[]>('id', 'recipient_email', 'template', 'data');
}

/** The path of the link in the latest invitation email to this address. */
export async function invitationPath(db: Knex, email: string): Promise<string> {
  const rows = (await outbox(db, 'orderer-invitation')).filter((row) => row.recipient_email === email);
  const link = rows.at(-1)?.data.link;
  if (typeof link !== 'string') throw new Error(`no invitation to ${email}`);
  return local(link);
}

/** Opens the invitation link logged in, and follows to the step the form is at. */
export async function openInvitation(agent: Agent, path: string): Promise<Response> {
  const opened = await agent.get(path);
  expect(opened.status, opened.text).toBe(303);
  expect(opened.headers.location).toBe(p.form);
  return opened;
}

export async function fillDetails(
  agent: Agent,
  delegate?: { name: string; personalIdentityNumber: string; email: string },
) {
  const fields: Record<string, string> = delegate
    ? {
        handledByOrderer: 'no',
        delegateName: delegate.name,
        delegatePersonalIdentityNumber: delegate.personalIdentityNumber,
        delegateEmail: delegate.email,
      }
    : { handledByOrderer: 'yes' };
  const response = await postForm(agent, p.details, p.details, fields);
  expect(response.status, response.text).toBe(303);
  expect(response.headers.location).toBe(p.terms);
}

export async function acceptTerms(agent: Agent) {
  const page = cheerio.load((await agent.get(p.terms).expect(200)).text);
  const response = await agent
    .post(p.terms)
    .type('form')
    .send({
      _csrf: String(page('input[name=_csrf]').val()),
      termsVersion: String(page('input[name=termsVersion]').val()),
      accept: 'yes',
    });
  expect(response.status, response.text).toBe(303);
  expect(response.headers.location).toBe(p.review);
}

export interface SignStart {
  action: string;
  fields: Record<string, string>;
  requestId: string;
}

/** Step 3 with e-ID: the portal's page that hands the sign request to the IdP. */
export async function startSigning(agent: Agent): Promise<SignStart> {
  const response = await postForm(agent, p.review, p.sign, {});
  expect(response.status, response.text).toBe(200);
  const page = cheerio.load(response.text);
  const form = page('form[data-auto-submit]');
  // Works without JavaScript (a visible button) and under the CSP (no inline script).
  expect(form.find('button[type=submit]')).toHaveLength(1);
  expect(page('script:not([src])')).toHaveLength(0);
  const fields = Object.fromEntries(
    form
      .find('input[type=hidden]')
      .map((_, input) => [[String(input.attribs.name), String(input.attribs.value)]])
      .get() as [string, string][],
  );
  const xml = Buffer.from(fields.SAMLRequest ?? '', 'base64').toString('utf8');
  const requestId = parseXml(xml).documentElement.getAttribute('ID') ?? '';
  return { action: local(String(form.attr('action'))), fields, requestId };
}

/** Signs at the development e-ID; gives the portal's answer to the IdP's response (a redirect to the return page). */
export async function signAtIdp(agent: Agent, start: SignStart, signer: string) {
  await agent.post(start.action).type('form').send(start.fields).expect(302);
  const { page, response } = await answerAtIdp(agent, { personalIdentityNumber: signer });
  return { page, response };
}

/** The whole e-ID signature: gives the return path (with ?signature=) and the page the IdP showed. */
export async function signWithEid(agent: Agent, signer: string) {
  const start = await startSigning(agent);
  const { page, response } = await signAtIdp(agent, start, signer);
  expect(response.status).toBe(302);
  const returnPath = local(String(response.headers.location));
  return { returnPath, page, requestId: start.requestId };
}

/** Everything the refusals must leave alone. */
export async function snapshot(db: Knex) {
  const count = async (table: string) => Number((await db(table).count<{ count: string }[]>('* as count'))[0]?.count);
  return {
    applications: await db('orderer_applications').orderBy('id').select('id', 'status', 'submitted_at', 'updated_at'),
    roles: await db('role_assignments').orderBy('id').select('id', 'revoked_at'),
    signatures: await count('signatures'),
    outbox: await count('outbox'),
    persons: await count('persons'),
    audit: await count('audit_log'),
  };
}

export const $ = (response: Response) => cheerio.load(response.text);

export type StoredApplication = Omit<ApplicationRow, 'submitted_form'> & {
  invitation_token_hash: string | null;
  submitted_form: OrdererForm | null;
};
export interface PersonRow {
  id: string;
  display_name: string;
  email: string | null;
  personal_identity_number: string;
}
export interface RoleRow {
  id: string;
  role: string;
  person_id: string;
  application_id: string | null;
  revoked_at: Date | null;
}
export interface SignatureRow {
  method: string;
  signer_person_id: string | null;
  recorded_by_person_id: string | null;
  form_content_hash: string;
  sign_message: string | null;
  sign_message_digest: string | null;
  assertion_xml: string | null;
  saml_request_id: string | null;
}
export interface AuditRow {
  action: string;
  actor_role: string | null;
  actor_person_id: string | null;
  subject_id: string | null;
  employer_id: string | null;
  request_id: string | null;
}

export async function applicationRow(db: Knex, id: string): Promise<StoredApplication> {
  const row = await db('orderer_applications').where({ id }).first<StoredApplication | undefined>();
  if (!row) throw new Error(`no application ${id}`);
  return row;
}

export async function personRow(db: Knex, personalIdentityNumber: string): Promise<PersonRow> {
  const row = await db('persons')
    .where({ personal_identity_number: personalIdentityNumber })
    .first<PersonRow | undefined>();
  if (!row) throw new Error('no such person');
  return row;
}

export function signatureRow(db: Knex, applicationId: string): Promise<SignatureRow | undefined> {
  return db('signatures').where({ application_id: applicationId }).first<SignatureRow | undefined>();
}
