import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, luhnValid, normalisePersonalIdentityNumber } from '../../src/domain/identity-numbers';
import { freshDatabase } from '../helpers/database';
import {
  databaseError,
  insertCode,
  insertEmployer,
  insertPerson,
  organisationNumber,
  personalIdentityNumber,
  withWrongCheckDigit,
} from './fixtures';

const { db } = await freshDatabase();

/** Deterministic digit strings of lengths 1 to 20, for comparing the two Luhn checks. */
function digitsOfLength(n: number): string {
  let seed = n + 1;
  let digits = '';
  for (let i = 0; i <= n % 20; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    digits += String(seed % 10);
  }
  return digits;
}

async function sqlBoolean(sql: string, value: string): Promise<boolean | null> {
  const result = await db.raw<{ rows: { valid: boolean | null }[] }>(`select ${sql}(?) as valid`, [value]);
  return result.rows[0]?.valid ?? null;
}

describe('luhn_valid and personal_identity_number_valid', () => {
  it('agree with the TypeScript checks', async () => {
    const farFuture = new Date('2999-12-31T12:00:00Z');
    const candidates = ['', 'abc', '12a4', '0', '18', '19121212-1212', '191212121212', '191212721218', '191302301218'];
    for (let n = 0; n < 200; n++) {
      const yyyymmdd = `19${String(n % 100).padStart(2, '0')}${String((n % 13) + 1).padStart(2, '0')}${String((n * 7) % 93).padStart(2, '0')}`;
      const withCheck = `${yyyymmdd}${String(n).padStart(3, '0')}${luhnCheckDigit(`${yyyymmdd.slice(2)}${String(n).padStart(3, '0')}`)}`;
      candidates.push(withCheck, withWrongCheckDigit(withCheck), digitsOfLength(n));
    }
    let valid = 0;
    for (const value of candidates) {
      expect(await sqlBoolean('luhn_valid', value), `luhn_valid('${value}')`).toBe(luhnValid(value));
      const twelve = /^[0-9]{12}$/.test(value) && normalisePersonalIdentityNumber(value, farFuture) === value;
      expect(await sqlBoolean('personal_identity_number_valid', value), value).toBe(twelve);
      if (twelve) valid++;
    }
    // both outcomes are well represented, samordningsnummer included
    expect(valid).toBeGreaterThan(50);
    expect(candidates.length - valid).toBeGreaterThan(50);
  });
});

describe('persons', () => {
  it('accepts a personnummer and a samordningsnummer', async () => {
    await insertPerson(db, { personal_identity_number: '191212121212', display_name: 'Tolvan Tolvansson' });
    await insertPerson(db, { personal_identity_number: personalIdentityNumber({ coordination: true }) });
    expect(await db('persons').where({ personal_identity_number: '191212121212' }).first('preferred_language')).toEqual(
      {
        preferred_language: 'sv',
      },
    );
  });

  it.each([
    ['a wrong check digit', withWrongCheckDigit(personalIdentityNumber())],
    ['a date that does not exist', `19120230123${luhnCheckDigit('120230123')}`],
    ['a day between 31 and 61', `19120240123${luhnCheckDigit('120240123')}`],
    ['ten digits', '1212121212'],
    ['a hyphen', '1912121-1212'],
  ])('refuses a personal identity number with %s', async (_, number) => {
    expect(await databaseError(insertPerson(db, { personal_identity_number: number }))).toMatchObject({
      code: '23514',
      constraint: 'persons_personal_identity_number_check',
    });
  });

  it('refuses a second person with the same personal identity number', async () => {
    const number = personalIdentityNumber();
    await insertPerson(db, { personal_identity_number: number });
    expect(await databaseError(insertPerson(db, { personal_identity_number: number }))).toMatchObject({
      code: '23505',
      constraint: 'persons_personal_identity_number_key',
    });
  });

  it.each([
    ['a blank display name', { display_name: ' ' }, 'persons_display_name_check'],
    ['an e-mail address without @', { email: 'anna.example.org' }, 'persons_email_check'],
    ['a language other than sv and en', { preferred_language: 'de' }, 'persons_preferred_language_check'],
  ])('refuses %s', async (_, values, constraint) => {
    expect(await databaseError(insertPerson(db, values))).toMatchObject({ code: '23514', constraint });
  });
});

describe('staff', () => {
  it('must be a person, and cannot be removed before being added', async () => {
    expect(
      await databaseError(db('staff').insert({ person_id: '00000000-0000-4000-8000-000000000000' })),
    ).toMatchObject({ code: '23503' });
    const person = await insertPerson(db);
    expect(
      await databaseError(
        db('staff').insert({
          person_id: person.id,
          added_at: '2025-01-02T00:00:00Z',
          removed_at: '2025-01-01T00:00:00Z',
        }),
      ),
    ).toMatchObject({ code: '23514', constraint: 'staff_removed_after_added_check' });
    await db('staff').insert({ person_id: person.id, added_at: '2025-01-02T00:00:00Z' });
  });
});

describe('employers', () => {
  it('accepts a valid organisation number and refuses the same one twice', async () => {
    const number = organisationNumber();
    await insertEmployer(db, { organisation_number: number });
    expect(await databaseError(insertEmployer(db, { organisation_number: number }))).toMatchObject({
      code: '23505',
      constraint: 'employers_organisation_number_key',
    });
  });

  it.each([
    ['a wrong check digit', withWrongCheckDigit(organisationNumber())],
    ['nine digits', organisationNumber().slice(1)],
    ['letters', '20210054AB'],
  ])('refuses an organisation number with %s', async (_, number) => {
    expect(await databaseError(insertEmployer(db, { organisation_number: number }))).toMatchObject({
      code: '23514',
      constraint: 'employers_organisation_number_check',
    });
  });
});

describe('employer codes', () => {
  it('allow a closing date only on an inactive code', async () => {
    const employer = await insertEmployer(db);
    expect(await databaseError(insertCode(db, employer.id, { closed_on: '2019-12-31' }))).toMatchObject({
      code: '23514',
      constraint: 'employer_codes_closed_on_inactive_check',
    });
    await insertCode(db, employer.id, { active: false, closed_on: '2019-12-31' });
    await insertCode(db, employer.id, { active: false });
  });

  it.each([
    ['an empty code', ''],
    ['a code with spaces around it', ' 40101 '],
  ])('refuse %s', async (_, code) => {
    const employer = await insertEmployer(db);
    expect(await databaseError(insertCode(db, employer.id, { code }))).toMatchObject({
      code: '23514',
      constraint: 'employer_codes_code_check',
    });
  });

  it('are unique across employers', async () => {
    const first = await insertEmployer(db);
    const second = await insertEmployer(db);
    await insertCode(db, first.id, { code: 'A-100' });
    expect(await databaseError(insertCode(db, second.id, { code: 'A-100' }))).toMatchObject({
      code: '23505',
      constraint: 'employer_codes_code_key',
    });
  });
});

describe('the service catalogue', () => {
  it('is seeded with the six services of the general terms, in order', async () => {
    const services = await db('services').orderBy('sort_order').select('key', 'name', 'active');
    expect(services).toEqual([
      { key: 'hantera-behorigheter', name: 'Hantera behörigheter', active: true },
      { key: 'rapport-direkt', name: 'Rapport direkt', active: true },
      { key: 'visa-anstallning', name: 'Visa anställning', active: true },
      { key: 'filoverforing', name: 'Filöverföring', active: true },
      { key: 'fakturaspecifikationer', name: 'Fakturaspecifikationer', active: true },
      { key: 'rapporter', name: 'Rapporter', active: true },
    ]);
    const described = await db('services')
      .whereRaw("btrim(description) <> ''")
      .count<{ count: number }[]>('* as count');
    expect(described[0]?.count).toBe(6);
  });

  it('refuses a key that is not a slug', async () => {
    expect(
      await databaseError(db('services').insert({ key: 'Ny tjänst', name: 'Ny tjänst', description: 'Beskrivning' })),
    ).toMatchObject({ code: '23514', constraint: 'services_key_check' });
  });
});
