import type { Knex } from 'knex';

export interface StaffRow {
  person_id: string;
  added_at: Date;
  removed_at: Date | null;
}

export interface PersonSummary {
  id: string;
  display_name: string;
  email: string | null;
}

export function findPerson(db: Knex, personalIdentityNumber: string): Promise<PersonSummary | undefined> {
  return db('persons')
    .where({ personal_identity_number: personalIdentityNumber })
    .first<PersonSummary | undefined>('id', 'display_name', 'email');
}

export async function insertPerson(
  db: Knex,
  person: { personalIdentityNumber: string; name: string; email: string },
  at: Date,
): Promise<PersonSummary> {
  const [row] = await db('persons')
    .insert({
      personal_identity_number: person.personalIdentityNumber,
      display_name: person.name,
      email: person.email,
      created_at: at,
      updated_at: at,
    })
    .returning<PersonSummary[]>(['id', 'display_name', 'email']);
  if (!row) throw new Error('person insert returned no row');
  return row;
}

export async function setEmailIfMissing(db: Knex, personId: string, email: string, at: Date): Promise<void> {
  await db('persons').where({ id: personId }).whereNull('email').update({ email, updated_at: at });
}

export function findStaff(db: Knex, personId: string): Promise<StaffRow | undefined> {
  return db('staff').where({ person_id: personId }).forUpdate().first<StaffRow | undefined>();
}

export async function addStaff(db: Knex, personId: string, at: Date): Promise<void> {
  await db('staff')
    .insert({ person_id: personId, added_at: at, removed_at: null })
    .onConflict('person_id')
    .merge({ added_at: at, removed_at: null });
}

export async function removeStaff(db: Knex, personId: string, at: Date): Promise<void> {
  await db('staff').where({ person_id: personId }).update({ removed_at: at });
}
