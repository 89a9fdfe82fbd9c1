import { findOrCreatePerson as findOrCreateByNumber, type ContactFilled } from '../persons/service';
import type { Knex } from 'knex';
import { UUID } from '../employers/schemas';

export interface CodeRow {
  id: string;
  code: string;
  name: string;
  active: boolean;
}

/** One current administrator of one code, with the contact details users and the orderer see. */
export interface AdministratorRow {
  person_id: string;
  employer_code_id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  /** The end of a time-limited appointment (null: until further notice). */
  valid_until: Date | null;
}

export interface PersonRow {
  id: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  preferred_language: 'sv' | 'en';
}

/** An administrator assignment in force at `at`: not revoked, not past its end date. */
function currentAdministratorAssignments(db: Knex, at: Date) {
  return db('role_assignments as r')
    .where('r.role', 'administrator')
    .whereNull('r.revoked_at')
    .where((query) => {
      void query.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
    });
}

/** Every code of the employer, active and inactive, by code. */
export function listCodes(db: Knex, employerId: string): Promise<CodeRow[]> {
  return db('employer_codes')
    .where({ employer_id: employerId })
    .orderBy('code')
    .select<CodeRow[]>('id', 'code', 'name', 'active');
}

/**
 * Locks the employer's codes with these ids, in id order (so two changes never wait for each other crosswise), and
 * gives those that belong to the employer. Counting a code's administrators after this sees every committed change.
 */
export function lockCodes(trx: Knex.Transaction, employerId: string, codeIds: readonly string[]): Promise<CodeRow[]> {
  // an id that is no uuid (a crafted form) is no code of the employer, rather than an error of the database
  const ids = codeIds.filter((id) => UUID.test(id));
  if (ids.length === 0) return Promise.resolve([]);
  return trx('employer_codes')
    .where({ employer_id: employerId })
    .whereIn('id', ids)
    .orderBy('id')
    .forUpdate()
    .select<CodeRow[]>('id', 'code', 'name', 'active');
}

/** The current administrators of the employer's codes, one row per person and code, by name. */
export function currentAdministrators(db: Knex, employerId: string, at: Date): Promise<AdministratorRow[]> {
  return currentAdministratorAssignments(db, at)
    .join('persons as p', 'p.id', 'r.person_id')
    .where('r.employer_id', employerId)
    .orderBy([{ column: 'p.display_name' }, { column: 'p.id' }])
    .select<AdministratorRow[]>(
      'r.person_id',
      'r.employer_code_id',
      'p.display_name',
      'p.email',
      'p.phone',
      'r.valid_until',
    );
}

/** The ids of the codes the person administers at the employer now. */
export async function administeredCodeIds(db: Knex, employerId: string, personId: string, at: Date): Promise<string[]> {
  const rows = await currentAdministratorAssignments(db, at)
    .where({ 'r.employer_id': employerId, 'r.person_id': personId })
    .select<{ employer_code_id: string }[]>('r.employer_code_id');
  return rows.map((row) => row.employer_code_id);
}

/** How many current administrators the code has besides the person. */
export async function otherAdministratorCount(
  trx: Knex.Transaction,
  codeId: string,
  personId: string,
  at: Date,
): Promise<number> {
  const [row] = await currentAdministratorAssignments(trx, at)
    .where('r.employer_code_id', codeId)
    .whereNot('r.person_id', personId)
    .count<{ count: string | number }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

export function findPerson(db: Knex, personId: string): Promise<PersonRow | undefined> {
  return db('persons')
    .where({ id: personId })
    .first<PersonRow | undefined>('id', 'display_name', 'email', 'phone', 'preferred_language');
}

/** The person with this number, created when unknown (the persons feature's rule), as this feature reads them. */
export async function findOrCreatePerson(
  trx: Knex.Transaction,
  person: { personalIdentityNumber: string; name: string; email: string; phone: string },
  at: Date,
): Promise<{ row: PersonRow; created: boolean; filled: ContactFilled }> {
  const { id, created, filled } = await findOrCreateByNumber(trx, person, at);
  const row = await trx('persons')
    .where({ id })
    .first<PersonRow | undefined>('id', 'display_name', 'email', 'phone', 'preferred_language');
  if (!row) throw new Error('person vanished');
  return { row, created, filled };
}

/** Ends assignments that lapsed (their end date passed) but were never revoked, so a new one may take their place. */
export async function revokeLapsed(
  trx: Knex.Transaction,
  personId: string,
  codeIds: readonly string[],
  at: Date,
): Promise<void> {
  await trx('role_assignments')
    .where({ role: 'administrator', person_id: personId })
    .whereIn('employer_code_id', codeIds)
    .whereNull('revoked_at')
    .where('valid_until', '<=', at)
    .update({ revoked_at: at });
}

export async function insertAssignments(
  trx: Knex.Transaction,
  employerId: string,
  personId: string,
  codeIds: readonly string[],
  appointedBy: string,
  at: Date,
): Promise<void> {
  if (codeIds.length === 0) return;
  await trx('role_assignments').insert(
    codeIds.map((codeId) => ({
      person_id: personId,
      employer_id: employerId,
      employer_code_id: codeId,
      role: 'administrator',
      appointed_by_person_id: appointedBy,
      appointed_at: at,
    })),
  );
}

export async function revokeAssignments(
  trx: Knex.Transaction,
  employerId: string,
  personId: string,
  codeIds: readonly string[],
  revokedBy: string,
  at: Date,
): Promise<void> {
  if (codeIds.length === 0) return;
  await trx('role_assignments')
    .where({ role: 'administrator', employer_id: employerId, person_id: personId })
    .whereIn('employer_code_id', codeIds)
    .whereNull('revoked_at')
    .update({ revoked_at: at, revoked_by_person_id: revokedBy });
}

/** The employer's current orderer(s), with the application's e-mail address standing in until their own is known. */
export function currentOrderers(trx: Knex.Transaction, employerId: string, at: Date): Promise<PersonRow[]> {
  return trx('role_assignments as r')
    .join('persons as p', 'p.id', 'r.person_id')
    .leftJoin('orderer_applications as a', 'a.id', 'r.application_id')
    .where({ 'r.employer_id': employerId, 'r.role': 'orderer' })
    .whereNull('r.revoked_at')
    .where((query) => {
      void query.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
    })
    .select<PersonRow[]>(
      'p.id',
      'p.display_name',
      trx.raw('coalesce(p.email, a.email) as email'),
      trx.raw('coalesce(p.phone, a.phone) as phone'),
      'p.preferred_language',
    );
}

/**
 * Sets (or clears) the end of the person's current administrator appointments on the codes; a new end is reminded of
 * again. Gives each changed row's code and its end before.
 */
export async function setAssignmentsEnd(
  trx: Knex.Transaction,
  employerId: string,
  personId: string,
  codeIds: readonly string[],
  validUntil: Date | null,
  at: Date,
): Promise<{ employer_code_id: string; before: Date | null }[]> {
  const rows = await currentAdministratorAssignments(trx, at)
    .where({ 'r.employer_id': employerId, 'r.person_id': personId })
    .whereIn('r.employer_code_id', codeIds)
    .whereRaw('r.valid_until is distinct from ?::timestamptz', [validUntil])
    .forUpdate()
    .select<{ id: string; employer_code_id: string; valid_until: Date | null }[]>(
      'r.id',
      'r.employer_code_id',
      'r.valid_until',
    );
  if (rows.length > 0) {
    await trx('role_assignments')
      .whereIn(
        'id',
        rows.map((row) => row.id),
      )
      .update({ valid_until: validUntil, expiry_reminded_at: null });
  }
  return rows.map((row) => ({ employer_code_id: row.employer_code_id, before: row.valid_until }));
}

/** The end of the person's current administrator appointments at the employer (the earliest, if they differ). */
export async function assignmentsEnd(db: Knex, employerId: string, personId: string, at: Date): Promise<Date | null> {
  const [row] = await currentAdministratorAssignments(db, at)
    .where({ 'r.employer_id': employerId, 'r.person_id': personId })
    .min<{ min: Date | null }[]>('r.valid_until as min');
  return row?.min ?? null;
}
