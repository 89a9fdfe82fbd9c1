import type { Knex } from 'knex';

export interface PersonRow {
  id: string;
  display_name: string;
  given_name: string | null;
  family_name: string | null;
  preferred_language: 'sv' | 'en';
}

export async function upsertOnLogin(
  db: Knex,
  person: { personalIdentityNumber: string; givenName: string; familyName: string; displayName: string },
  at: Date,
): Promise<PersonRow> {
  const [row] = await db('persons')
    .insert({
      personal_identity_number: person.personalIdentityNumber,
      given_name: person.givenName,
      family_name: person.familyName,
      display_name: person.displayName,
      last_login_at: at,
      created_at: at,
      updated_at: at,
    })
    .onConflict('personal_identity_number')
    .merge({
      given_name: person.givenName,
      family_name: person.familyName,
      display_name: person.displayName,
      last_login_at: at,
      updated_at: at,
    })
    .returning<PersonRow[]>(['id', 'display_name', 'given_name', 'family_name', 'preferred_language']);
  if (!row) throw new Error('person upsert returned no row');
  return row;
}

export function findById(db: Knex, id: string): Promise<(PersonRow & { is_staff: boolean }) | undefined> {
  return db('persons as p')
    .leftJoin('staff as s', function () {
      this.on('s.person_id', 'p.id').andOnNull('s.removed_at');
    })
    .where('p.id', id)
    .first<(PersonRow & { is_staff: boolean }) | undefined>(
      'p.id',
      'p.display_name',
      'p.given_name',
      'p.family_name',
      'p.preferred_language',
      db.raw('s.person_id is not null as is_staff'),
    );
}

/** The contact details a known person lacked and now has (for the audit row of the change that filled them). */
export interface ContactFilled {
  email?: string;
  phone?: string;
}

/** The audit data of a contact completion (each filled field was empty before); undefined when nothing was filled. */
export function contactCompletion(
  filled: ContactFilled,
): { before: Record<string, null>; after: ContactFilled } | undefined {
  const keys = Object.keys(filled);
  return keys.length === 0 ? undefined : { before: Object.fromEntries(keys.map((key) => [key, null])), after: filled };
}

/**
 * The person with this personal identity number, created from what an orderer, administrator or staff member typed
 * when the portal does not know them yet. A known person keeps their name (their e-ID's) and contact details; only
 * an email or phone they lack is filled in. Safe under concurrency: a simultaneous add finds the other's row.
 */
export async function findOrCreateByNumber(
  trx: Knex.Transaction,
  person: { personalIdentityNumber: string; name: string; email: string; phone?: string | null },
  at: Date,
): Promise<{ id: string; created: boolean; filled: ContactFilled }> {
  const phone = person.phone === '' ? null : (person.phone ?? null);
  const [inserted] = await trx('persons')
    .insert({
      personal_identity_number: person.personalIdentityNumber,
      display_name: person.name,
      email: person.email,
      phone,
      created_at: at,
      updated_at: at,
    })
    .onConflict('personal_identity_number')
    .ignore()
    .returning<{ id: string }[]>('id');
  if (inserted) return { id: inserted.id, created: true, filled: {} };
  const known = await trx('persons')
    .where({ personal_identity_number: person.personalIdentityNumber })
    .forUpdate()
    .first<{ id: string; email: string | null; phone: string | null } | undefined>('id', 'email', 'phone');
  if (!known) throw new Error('person neither inserted nor found');
  const missing: ContactFilled = {
    ...(known.email === null ? { email: person.email } : {}),
    ...(known.phone === null && phone !== null ? { phone } : {}),
  };
  if (Object.keys(missing).length > 0) {
    await trx('persons')
      .where({ id: known.id })
      .update({ ...missing, updated_at: at });
  }
  return { id: known.id, created: false, filled: missing };
}
