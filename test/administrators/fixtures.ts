import type { Knex } from 'knex';
import { DEMO_EMPLOYER } from '../../src/demo/seed';
import { insertActiveApplication, insertCode, insertEmployer, insertPerson } from '../db/fixtures';

/** Demo persons (src/demo/data.ts). */
export const PIN = {
  orderer: '191212102824',
  delegate: '191212091357',
  administratorAll: '191212083461',
  administratorNorth: '191212121212',
  user: '191212072423',
  /** Mikko Virtanen's samordningsnummer; he is a user. */
  coordinationUser: '191212652372',
} as const;

export const idOf = async (db: Knex, table: string, where: Record<string, string>): Promise<string> => {
  const row = await db(table).where(where).first<{ id: string } | undefined>('id');
  if (!row) throw new Error(`no ${table} ${JSON.stringify(where)}`);
  return row.id;
};

export const personId = (db: Knex, personalIdentityNumber: string) =>
  idOf(db, 'persons', { personal_identity_number: personalIdentityNumber });
export const codeId = (db: Knex, code: string) => idOf(db, 'employer_codes', { code });
export const demoEmployerId = (db: Knex) =>
  idOf(db, 'employers', { organisation_number: DEMO_EMPLOYER.organisationNumber });

/** The codes (e.g. ['40101']) the person administers now, sorted. */
export async function administeredCodes(db: Knex, id: string): Promise<string[]> {
  const rows = await db('role_assignments as r')
    .join('employer_codes as c', 'c.id', 'r.employer_code_id')
    .where({ 'r.person_id': id, 'r.role': 'administrator' })
    .whereNull('r.revoked_at')
    .orderBy('c.code')
    .select<{ code: string }[]>('c.code');
  return rows.map((row) => row.code);
}

/** How many current administrators the code has. */
export async function administratorCount(db: Knex, employerCodeId: string): Promise<number> {
  const [row] = await db('role_assignments')
    .where({ employer_code_id: employerCodeId, role: 'administrator' })
    .whereNull('revoked_at')
    .count<{ count: string }[]>({ count: '*' });
  return Number(row?.count);
}

export interface OutboxRow {
  recipient_email: string;
  recipient_person_id: string | null;
  template: string;
  data: { name: string; employerName: string; administrators: { name: string; codes: string[] }[]; link: string };
}

export const outbox = (db: Knex): Promise<OutboxRow[]> =>
  db('outbox')
    .where({ template: 'administrators-appointed' })
    .orderBy('recipient_email')
    .select<OutboxRow[]>('recipient_email', 'recipient_person_id', 'template', 'data');

export interface AuditRow {
  action: string;
  actor_role: string;
  actor_person_id: string;
  employer_id: string;
  employer_code_id: string | null;
  subject_id: string;
  before: { name: string; codes: string[] } | null;
  after: { name: string; codes: string[] } | null;
}

export const auditRows = (db: Knex): Promise<AuditRow[]> =>
  db('audit_log')
    .where('action', 'like', 'administrator.%')
    .orderBy('id')
    .select<AuditRow[]>(
      'action',
      'actor_role',
      'actor_person_id',
      'employer_id',
      'employer_code_id',
      'subject_id',
      'before',
      'after',
    );

/** Another employer with one code, an active orderer (who may log in with e-ID) and two administrators of the code. */
export async function otherEmployer(db: Knex) {
  const employer = await insertEmployer(db, { name: 'Annan myndighet' });
  const code = await insertCode(db, employer.id);
  const application = await insertActiveApplication(db, employer.id);
  // with the e-ID's names: the development e-ID answers for a known person with their stored names
  const orderer = await insertPerson(db, {
    email: 'orderer@annan.example',
    given_name: 'Olle',
    family_name: 'Ordner',
    display_name: 'Olle Ordner',
  });
  await db('role_assignments').insert({
    person_id: orderer.id,
    employer_id: employer.id,
    role: 'orderer',
    application_id: application.id,
  });
  const first = await insertPerson(db, { email: 'first@annan.example' });
  const second = await insertPerson(db, { email: 'second@annan.example' });
  await db('role_assignments').insert(
    [first, second].map((person) => ({
      person_id: person.id,
      employer_id: employer.id,
      employer_code_id: code.id,
      role: 'administrator',
    })),
  );
  const pin = await db('persons')
    .where({ id: orderer.id })
    .first<{ personal_identity_number: string }>('personal_identity_number');
  return {
    employerId: employer.id,
    codeId: code.id,
    ordererId: orderer.id,
    ordererPin: pin.personal_identity_number,
    administratorIds: [first.id, second.id] as const,
  };
}

/**
 * Holds row locks on the code's administrator assignments, so changes that get past their own checks wait at their
 * UPDATE until `release`: two changes that did not lock the code would then both have counted before either commits.
 */
export async function blockAssignments(db: Knex, employerCodeId: string) {
  const trx = await db.transaction();
  await trx('role_assignments').where({ employer_code_id: employerCodeId }).whereNull('revoked_at').forUpdate();
  return { release: () => trx.commit() };
}
