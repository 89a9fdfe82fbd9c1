import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import {
  databaseError,
  insertActiveApplication,
  insertCode,
  insertEmployer,
  insertPerson,
  serviceId,
  type Row,
} from './fixtures';

const { db } = await freshDatabase();

interface Setting {
  employer: Row;
  code: Row;
  otherCode: Row;
  application: Row;
  person: Row;
  appointer: Row;
}

async function setting(): Promise<Setting> {
  const employer = await insertEmployer(db);
  return {
    employer,
    code: await insertCode(db, employer.id),
    otherCode: await insertCode(db, employer.id, { active: false, closed_on: '2019-12-31' }),
    application: await insertActiveApplication(db, employer.id),
    person: await insertPerson(db),
    appointer: await insertPerson(db),
  };
}

function assign(values: Record<string, unknown>): PromiseLike<Row[]> {
  return db('role_assignments').insert(values).returning<Row[]>('id');
}

function administrator(s: Setting, values: Record<string, unknown> = {}): PromiseLike<Row[]> {
  return assign({
    person_id: s.person.id,
    employer_id: s.employer.id,
    employer_code_id: s.code.id,
    role: 'administrator',
    appointed_by_person_id: s.appointer.id,
    ...values,
  });
}

function orderer(s: Setting, person: Row): PromiseLike<Row[]> {
  return assign({
    person_id: person.id,
    employer_id: s.employer.id,
    role: 'orderer',
    application_id: s.application.id,
  });
}

describe('role assignments', () => {
  it('give an administrator an employer code, and no one else', async () => {
    const s = await setting();
    expect(await databaseError(administrator(s, { employer_code_id: null }))).toMatchObject({
      code: '23514',
      constraint: 'role_assignments_code_only_for_administrator_check',
    });
    expect(
      await databaseError(
        assign({ person_id: s.person.id, employer_id: s.employer.id, employer_code_id: s.code.id, role: 'delegate' }),
      ),
    ).toMatchObject({ code: '23514', constraint: 'role_assignments_code_only_for_administrator_check' });
    await administrator(s);
  });

  it('refuse an employer code of another employer', async () => {
    const s = await setting();
    const stranger = await insertEmployer(db);
    const strangersCode = await insertCode(db, stranger.id);
    expect(await databaseError(administrator(s, { employer_code_id: strangersCode.id }))).toMatchObject({
      code: '23503',
      constraint: 'role_assignments_employer_code_fkey',
    });
  });

  it('allow one administrator assignment per person and code', async () => {
    const s = await setting();
    const [first] = await administrator(s);
    expect(await databaseError(administrator(s))).toMatchObject({
      code: '23505',
      constraint: 'role_assignments_one_administrator_per_code_idx',
    });
    await administrator(s, { employer_code_id: s.otherCode.id });
    await administrator(s, { person_id: s.appointer.id });
    await db('role_assignments').where({ id: first?.id }).update({ revoked_at: db.fn.now() });
    await administrator(s);
  });

  it('allow one orderer per employer; a new one once the old is revoked', async () => {
    const s = await setting();
    const [first] = await orderer(s, s.person);
    expect(await databaseError(orderer(s, s.appointer))).toMatchObject({
      code: '23505',
      constraint: 'role_assignments_one_orderer_per_employer_idx',
    });
    await db('role_assignments').where({ id: first?.id }).update({ revoked_at: db.fn.now() });
    await orderer(s, s.appointer);
  });

  it('refuse an orderer without an application, or with another employer’s application', async () => {
    const s = await setting();
    expect(
      await databaseError(assign({ person_id: s.person.id, employer_id: s.employer.id, role: 'orderer' })),
    ).toMatchObject({
      code: '23514',
      constraint: 'role_assignments_orderer_application_check',
    });
    const stranger = await insertEmployer(db);
    const strangersApplication = await insertActiveApplication(db, stranger.id);
    expect(
      await databaseError(
        assign({
          person_id: s.person.id,
          employer_id: s.employer.id,
          role: 'orderer',
          application_id: strangersApplication.id,
        }),
      ),
    ).toMatchObject({ code: '23503', constraint: 'role_assignments_application_fkey' });
  });

  it('allow one active delegate assignment per person and employer', async () => {
    const s = await setting();
    const delegate = { person_id: s.person.id, employer_id: s.employer.id, role: 'delegate' };
    await assign(delegate);
    expect(await databaseError(assign(delegate))).toMatchObject({
      code: '23505',
      constraint: 'role_assignments_one_delegate_per_person_idx',
    });
    await assign({ ...delegate, person_id: s.appointer.id });
  });

  it('refuse a revocation before the appointment, and a revoker without a revocation', async () => {
    const s = await setting();
    const appointed = { appointed_at: '2025-06-01T10:00:00Z' };
    expect(await databaseError(administrator(s, { ...appointed, revoked_at: '2025-05-31T10:00:00Z' }))).toMatchObject({
      code: '23514',
      constraint: 'role_assignments_revoked_after_appointed_check',
    });
    expect(await databaseError(administrator(s, { ...appointed, valid_until: '2025-05-31T10:00:00Z' }))).toMatchObject({
      code: '23514',
      constraint: 'role_assignments_valid_until_check',
    });
    expect(await databaseError(administrator(s, { revoked_by_person_id: s.appointer.id }))).toMatchObject({
      code: '23514',
      constraint: 'role_assignments_revoked_by_check',
    });
  });
});

describe('permissions', () => {
  async function grant(s: Setting, values: Record<string, unknown> = {}): Promise<Row[]> {
    return db('permissions')
      .insert({
        person_id: s.person.id,
        employer_code_id: s.code.id,
        service_id: await serviceId(db, 'fakturaspecifikationer'),
        granted_by_person_id: s.appointer.id,
        ...values,
      })
      .returning<Row[]>('id');
  }

  it('allow one active grant per person, code and service; again once revoked', async () => {
    const s = await setting();
    const [first] = await grant(s);
    expect(await databaseError(grant(s))).toMatchObject({
      code: '23505',
      constraint: 'permissions_one_active_grant_idx',
    });
    await grant(s, { employer_code_id: s.otherCode.id });
    await grant(s, { service_id: await serviceId(db, 'rapporter') });
    await db('permissions')
      .where({ id: first?.id })
      .update({ revoked_at: db.fn.now(), revoked_by_person_id: s.appointer.id });
    await grant(s);
  });

  it('refuse a revocation before the grant', async () => {
    const s = await setting();
    expect(
      await databaseError(grant(s, { granted_at: '2025-06-01T10:00:00Z', revoked_at: '2025-05-01T10:00:00Z' })),
    ).toMatchObject({ code: '23514', constraint: 'permissions_revoked_after_granted_check' });
    expect(
      await databaseError(grant(s, { granted_at: '2025-06-01T10:00:00Z', expires_at: '2025-06-01T10:00:00Z' })),
    ).toMatchObject({ code: '23514', constraint: 'permissions_expires_at_check' });
  });

  it('need a grantor in the portal but not when imported from the old records', async () => {
    const s = await setting();
    expect(await databaseError(grant(s, { granted_by_person_id: null }))).toMatchObject({
      code: '23514',
      constraint: 'permissions_portal_grantor_check',
    });
    expect(await databaseError(grant(s, { source: 'email' }))).toMatchObject({
      code: '23514',
      constraint: 'permissions_source_check',
    });
    await grant(s, { granted_by_person_id: null, source: 'import' });
  });

  it('refuse an unknown service', async () => {
    const s = await setting();
    expect(await databaseError(grant(s, { service_id: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({
      code: '23503',
    });
  });
});
