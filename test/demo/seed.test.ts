import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { DEMO_EMPLOYER, DEMO_PERSONS, loadDemoData } from '../../src/demo/seed';
import { luhnValid, normalisePersonalIdentityNumber } from '../../src/domain/identity-numbers';
import { freshDatabase } from '../helpers/database';

const TABLES = [
  'persons',
  'staff',
  'employers',
  'employer_codes',
  'orderer_applications',
  'signatures',
  'role_assignments',
  'permissions',
];

async function counts(db: Knex): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await db(table).count<{ count: number }[]>('* as count');
    result[table] = Number(row?.count);
  }
  return result;
}

function personId(db: Knex, key: string): Knex.QueryBuilder {
  const demo = DEMO_PERSONS.find((candidate) => candidate.key === key);
  return db('persons').select('id').where({ personal_identity_number: demo?.personalIdentityNumber });
}

function currentRoles(db: Knex, role: string): Knex.QueryBuilder {
  return db('role_assignments as r')
    .join('persons as p', 'p.id', 'r.person_id')
    .where({ 'r.role': role })
    .whereNull('r.revoked_at');
}

describe('the demo persons', () => {
  it('have valid personal identity numbers, all different', () => {
    const today = new Date('2026-11-27T12:00:00Z');
    for (const demo of DEMO_PERSONS) {
      expect(luhnValid(demo.personalIdentityNumber.slice(2)), demo.key).toBe(true);
      expect(normalisePersonalIdentityNumber(demo.personalIdentityNumber, today), demo.key).toBe(
        demo.personalIdentityNumber,
      );
    }
    expect(new Set(DEMO_PERSONS.map((demo) => demo.personalIdentityNumber)).size).toBe(DEMO_PERSONS.length);
    expect(new Set(DEMO_PERSONS.map((demo) => demo.key)).size).toBe(DEMO_PERSONS.length);
  });

  it('cover every role', () => {
    const roles = DEMO_PERSONS.map((demo) => demo.role);
    expect(roles.filter((role) => role === 'staff')).toHaveLength(1);
    expect(roles.filter((role) => role === 'orderer')).toHaveLength(1);
    expect(roles.filter((role) => role === 'delegate')).toHaveLength(1);
    expect(roles.filter((role) => role === 'administrator')).toHaveLength(2);
    expect(roles.filter((role) => role === 'user').length).toBeGreaterThanOrEqual(3);
  });
});

describe('loadDemoData', async () => {
  const { db } = await freshDatabase();

  it('gives the same rows when loaded twice', async () => {
    await loadDemoData(db);
    const first = await counts(db);
    await loadDemoData(db);
    expect(await counts(db)).toEqual(first);
    expect(first).toMatchObject({ persons: DEMO_PERSONS.length, employers: 1, employer_codes: 3, signatures: 1 });
  });

  it('makes the staff member staff', async () => {
    const staff = await db('staff').whereIn('person_id', personId(db, 'staff')).whereNull('removed_at');
    expect(staff).toHaveLength(1);
  });

  it('has one inactive, closed code among three', async () => {
    const codes = await db('employer_codes')
      .orderBy('code')
      .select<{ code: string; active: boolean; closed_on: Date | null }[]>('code', 'active', 'closed_on');
    expect(codes.map((code) => code.active)).toEqual([true, true, false]);
    expect(codes[2]?.closed_on).toBeInstanceOf(Date);
    expect(await db('employers').first('organisation_number', 'name')).toEqual({
      organisation_number: DEMO_EMPLOYER.organisationNumber,
      name: DEMO_EMPLOYER.name,
    });
  });

  it('has an active orderer who accepted the 2020-03 terms and signed with e-ID', async () => {
    const orderers = await currentRoles(db, 'orderer').select<
      { personal_identity_number: string; application_id: string }[]
    >('p.personal_identity_number', 'r.application_id');
    expect(orderers.map((orderer) => orderer.personal_identity_number)).toEqual([
      DEMO_PERSONS.find((demo) => demo.role === 'orderer')?.personalIdentityNumber,
    ]);
    const applicationId = orderers[0]?.application_id ?? '';
    const application = await db('orderer_applications as a')
      .join('terms_versions as t', 't.id', 'a.accepted_terms_version_id')
      .where('a.id', applicationId)
      .first<{ status: string; version: string } | undefined>('a.status', 't.version');
    expect(application).toEqual({ status: 'active', version: '2020-03' });
    const signature = await db('signatures')
      .where({ application_id: applicationId })
      .first<{ method: string; sign_message: string; sign_message_digest: string } | undefined>(
        'method',
        'sign_message',
        'sign_message_digest',
      );
    expect(signature?.method).toBe('eid');
    const digest = createHash('sha256').update(String(signature?.sign_message), 'utf8').digest('base64');
    expect(signature?.sign_message_digest).toBe(`http://www.w3.org/2001/04/xmlenc#sha256;${digest}`);
  });

  it('has a delegate and two administrators, one of them for every code', async () => {
    expect(await currentRoles(db, 'delegate').select('p.display_name')).toEqual([{ display_name: 'Erik Johansson' }]);
    const administrators = await currentRoles(db, 'administrator')
      .groupBy('p.display_name')
      .orderBy('p.display_name')
      .select<{ display_name: string; codes: number }[]>('p.display_name', db.raw('count(*)::int as codes'));
    expect(administrators).toEqual([
      { display_name: 'Johan Andersson', codes: 1 },
      { display_name: 'Maria Nilsson', codes: 3 },
    ]);
    const codesWithoutAdministrator = await db('employer_codes as c')
      .whereNotExists(currentRoles(db, 'administrator').whereRaw('r.employer_code_id = c.id').select(db.raw('1')))
      .select('c.code');
    expect(codesWithoutAdministrator).toEqual([]);
  });

  it('has users with permissions on several codes and services, the closed code included', async () => {
    const grants = await db('permissions as g')
      .join('employer_codes as c', 'c.id', 'g.employer_code_id')
      .whereNull('g.revoked_at')
      .select('g.person_id', 'c.code', 'g.service_id');
    expect(new Set(grants.map((grant: { person_id: string }) => grant.person_id)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(grants.map((grant: { code: string }) => grant.code))).toEqual(new Set(['40101', '40102', '40199']));
    expect(new Set(grants.map((grant: { service_id: string }) => grant.service_id)).size).toBeGreaterThanOrEqual(4);
  });

  it('has a user who has not logged in for 18 months', async () => {
    const inactive = await db('persons')
      .whereRaw("last_login_at < now() - interval '18 months'")
      .select('display_name');
    expect(inactive).toEqual([{ display_name: 'Gunnel Holm' }]);
  });
});

describe('loadDemoData with a demo person already known', async () => {
  const { db } = await freshDatabase();

  it('keeps the existing person and gives them the demo role', async () => {
    const administrator = DEMO_PERSONS.find((demo) => demo.key === 'administrator-north');
    const [existing] = await db('persons')
      .insert({ personal_identity_number: administrator?.personalIdentityNumber, display_name: 'Johan A.' })
      .returning<{ id: string }[]>('id');
    await loadDemoData(db);
    const roles = await db('role_assignments').where({ person_id: existing?.id }).select('role');
    expect(roles).toEqual([{ role: 'administrator' }]);
    expect(await db('persons').where({ id: existing?.id }).first('display_name')).toEqual({ display_name: 'Johan A.' });
  });
});
