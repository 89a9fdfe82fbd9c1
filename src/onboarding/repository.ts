import { findOrCreatePerson as findOrCreateByNumber } from '../persons/service';
import type { Knex } from 'knex';
import { isUuid } from './view-helpers';

export type ApplicationStatus =
  'invited' | 'signed_eid' | 'awaiting_paper' | 'active' | 'replaced' | 'expired' | 'cancelled';

export interface ApplicationRow {
  id: string;
  employer_id: string;
  name: string;
  title: string;
  personal_identity_number: string;
  email: string;
  status: ApplicationStatus;
  invitation_expires_at: Date | null;
  registered_by_person_id: string | null;
  accepted_terms_version_id: string | null;
  terms_accepted_at: Date | null;
  submitted_form: unknown;
  submitted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ApplicationListRow extends ApplicationRow {
  employer_name: string;
  organisation_number: string;
}

export interface EmployerRow {
  id: string;
  name: string;
  organisation_number: string;
}

export interface CodeRow {
  id: string;
  code: string;
  name: string;
  active: boolean;
}

export interface TermsRow {
  id: string;
  version: string;
  body_sv: string;
  body_en: string;
  published_at: Date;
}

type Db = Knex | Knex.Transaction;

const APPLICATION_COLUMNS = [
  'a.id',
  'a.employer_id',
  'a.name',
  'a.title',
  'a.personal_identity_number',
  'a.email',
  'a.status',
  'a.invitation_expires_at',
  'a.registered_by_person_id',
  'a.accepted_terms_version_id',
  'a.terms_accepted_at',
  'a.submitted_form',
  'a.submitted_at',
  'a.created_at',
  'a.updated_at',
];

export async function applicationById(db: Db, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db('orderer_applications as a').where('a.id', id).first<ApplicationRow | undefined>(APPLICATION_COLUMNS);
}

export async function lockApplication(trx: Knex.Transaction, id: string): Promise<ApplicationRow | undefined> {
  if (!isUuid(id)) return undefined;
  return trx('orderer_applications as a')
    .where('a.id', id)
    .forUpdate()
    .first<ApplicationRow | undefined>(APPLICATION_COLUMNS);
}

export function applicationByTokenHash(db: Db, tokenHash: string): Promise<ApplicationRow | undefined> {
  return db('orderer_applications as a')
    .where('a.invitation_token_hash', tokenHash)
    .first<ApplicationRow | undefined>(APPLICATION_COLUMNS);
}

export function listApplications(db: Db): Promise<ApplicationListRow[]> {
  return db('orderer_applications as a')
    .join('employers as e', 'e.id', 'a.employer_id')
    .orderBy([
      { column: 'a.created_at', order: 'desc' },
      { column: 'a.id', order: 'asc' },
    ])
    .select<ApplicationListRow[]>([...APPLICATION_COLUMNS, 'e.name as employer_name', 'e.organisation_number']);
}

export function employers(db: Db): Promise<EmployerRow[]> {
  return db('employers').orderBy(['name', 'id']).select<EmployerRow[]>('id', 'name', 'organisation_number');
}

export async function employerById(db: Db, id: string): Promise<EmployerRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db('employers').where({ id }).first<EmployerRow | undefined>('id', 'name', 'organisation_number');
}

export function employerCodes(db: Db, employerId: string): Promise<CodeRow[]> {
  return db('employer_codes')
    .where({ employer_id: employerId })
    .orderBy('code')
    .select<CodeRow[]>('id', 'code', 'name', 'active');
}

/** The employer's codes (active or closed) that have no current administrator. */
export function codesWithoutAdministrator(db: Db, employerId: string): Promise<CodeRow[]> {
  return db('employer_codes as c')
    .where('c.employer_id', employerId)
    .whereNotExists(
      db('role_assignments as r')
        .whereRaw('r.employer_code_id = c.id')
        .where('r.role', 'administrator')
        .whereNull('r.revoked_at'),
    )
    .orderBy('c.code')
    .select<CodeRow[]>('c.id', 'c.code', 'c.name', 'c.active');
}

/** The terms in force: the latest version published up to now. */
export function currentTerms(db: Db, at: Date): Promise<TermsRow | undefined> {
  return db('terms_versions')
    .where('published_at', '<=', at)
    .orderBy('published_at', 'desc')
    .first<TermsRow | undefined>('id', 'version', 'body_sv', 'body_en', 'published_at');
}

export function termsById(db: Db, id: string): Promise<TermsRow | undefined> {
  return db('terms_versions')
    .where({ id })
    .first<TermsRow | undefined>('id', 'version', 'body_sv', 'body_en', 'published_at');
}

export function personIdentityNumber(db: Db, personId: string): Promise<string | undefined> {
  return db('persons')
    .where({ id: personId })
    .first<{ personal_identity_number: string } | undefined>('personal_identity_number')
    .then((row) => row?.personal_identity_number);
}

export function personIdByPnr(db: Db, pnr: string): Promise<string | undefined> {
  return db('persons')
    .where({ personal_identity_number: pnr })
    .first<{ id: string } | undefined>('id')
    .then((row) => row?.id);
}

/** The person with this number, created from the form's name and email when the portal does not know them yet. */
export async function findOrCreatePerson(
  trx: Knex.Transaction,
  person: { personalIdentityNumber: string; name: string; email: string },
  at: Date,
): Promise<string> {
  return (await findOrCreateByNumber(trx, person, at)).id;
}
