import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';

/** Rows for constraint tests: each call gives new unique identity numbers and codes. */

let counter = 0;
const next = (): number => ++counter;

/** A valid personnummer born in the 1970s or 1980s, with day + 60 when `coordination` (samordningsnummer). */
export function personalIdentityNumber(options: { coordination?: boolean } = {}): string {
  const n = next();
  const birth = new Date(Date.UTC(1970, 0, 1 + (n % 7000)));
  const day = birth.getUTCDate() + (options.coordination ? 60 : 0);
  const yyyymmdd = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const serial = String(100 + (n % 900));
  return `${yyyymmdd}${serial}${luhnCheckDigit(`${yyyymmdd.slice(2)}${serial}`)}`;
}

/** The same number with a wrong check digit. */
export function withWrongCheckDigit(digits: string): string {
  const last = Number(digits.slice(-1));
  return `${digits.slice(0, -1)}${(last + 1) % 10}`;
}

export function organisationNumber(): string {
  const nine = `55${String(1_000_000 + next()).slice(-7)}`;
  return `${nine}${luhnCheckDigit(nine)}`;
}

export interface Row {
  id: string;
}

async function insert(db: Knex, table: string, values: Record<string, unknown>): Promise<Row> {
  const [row] = await db(table).insert(values).returning<Row[]>('id');
  if (!row) throw new Error(`no row inserted into ${table}`);
  return row;
}

export function insertPerson(db: Knex, values: Record<string, unknown> = {}): Promise<Row> {
  return insert(db, 'persons', {
    personal_identity_number: personalIdentityNumber(),
    display_name: `Person ${next()}`,
    ...values,
  });
}

export async function insertStaff(db: Knex): Promise<Row> {
  const person = await insertPerson(db);
  await db('staff').insert({ person_id: person.id });
  return person;
}

export function insertEmployer(db: Knex, values: Record<string, unknown> = {}): Promise<Row> {
  return insert(db, 'employers', { organisation_number: organisationNumber(), name: `Myndighet ${next()}`, ...values });
}

export function insertCode(db: Knex, employerId: string, values: Record<string, unknown> = {}): Promise<Row> {
  const code = String(10_000 + next());
  return insert(db, 'employer_codes', { employer_id: employerId, code, name: `Enhet ${code}`, ...values });
}

export async function serviceId(db: Knex, key: string): Promise<string> {
  const row = await db('services').where({ key }).first<Row | undefined>('id');
  if (!row) throw new Error(`no service ${key}`);
  return row.id;
}

export async function termsVersionId(db: Knex, version = '2020-03'): Promise<string> {
  const row = await db('terms_versions').where({ version }).first<Row | undefined>('id');
  if (!row) throw new Error(`no terms ${version}`);
  return row.id;
}

export function tokenHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

/** An application that is still at the invitation stage, unless `values` say otherwise. */
export function insertApplication(db: Knex, employerId: string, values: Record<string, unknown> = {}): Promise<Row> {
  return insert(db, 'orderer_applications', {
    employer_id: employerId,
    name: 'Anna Andersson',
    title: 'Personalchef',
    personal_identity_number: personalIdentityNumber(),
    email: 'anna.andersson@example.org',
    invitation_token_hash: tokenHash(),
    invitation_expires_at: new Date(Date.now() + 86_400_000),
    ...values,
  });
}

/** The columns a submitted (signed or awaiting paper, active, replaced) application must have. */
export async function submitted(db: Knex): Promise<Record<string, unknown>> {
  return {
    accepted_terms_version_id: await termsVersionId(db),
    terms_accepted_at: new Date(),
    submitted_form: { codes: [], delegate: null },
    submitted_at: new Date(),
  };
}

export async function insertActiveApplication(db: Knex, employerId: string): Promise<Row> {
  return insertApplication(db, employerId, {
    ...(await submitted(db)),
    status: 'active',
    invitation_token_hash: null,
    invitation_expires_at: null,
  });
}

export interface DatabaseError {
  code?: string;
  constraint?: string;
  message: string;
}

/** The error the database raised for `work`; fails the test when the database accepted it. */
export async function databaseError(work: PromiseLike<unknown>): Promise<DatabaseError> {
  try {
    await work;
  } catch (error) {
    return error as DatabaseError;
  }
  throw new Error('the database accepted what it should have refused');
}
