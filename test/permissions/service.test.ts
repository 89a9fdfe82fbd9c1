import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { BOM } from '../../src/permissions/csv';
import { endMomentOf } from '../../src/permissions/end-date';
import { permissionsService, type OverviewQuery } from '../../src/permissions/service';
import { buildTestApp } from '../helpers/app';
import { freshDatabase } from '../helpers/database';
import { addUsers, counts, demoIds, installPinFunction, PIN, scopeFor } from './helpers';

const testApp = await buildTestApp();
const { config, clock } = testApp;

const query = (overrides: Partial<OverviewQuery> = {}): OverviewQuery => ({
  inactiveOnly: false,
  search: '',
  page: 1,
  ...overrides,
});

/** Each test gets its own database with the demo employer: changes never leak between tests. */
async function setUp() {
  const { db } = await freshDatabase();
  await loadDemoData(db);
  const ids = await demoIds(db);
  const service = permissionsService(db, () => clock.now, config);
  return {
    db,
    ids,
    service,
    maria: scopeFor(ids, 'administrator-all-codes', 'administrator'),
    johan: scopeFor(ids, 'administrator-north', 'administrator'),
    anna: scopeFor(ids, 'orderer', 'orderer'),
  };
}

type World = Awaited<ReturnType<typeof setUp>>;

interface AuditRow {
  action: string;
  before: { permissions: unknown[] } | null;
  [column: string]: unknown;
}

interface OutboxRow {
  template: string;
  data: { code: string; granted: string[]; removed: string[] };
  [column: string]: unknown;
}

/** The newest row of the audit log or the outbox. */
async function latest<T>(world: World, table: 'audit_log' | 'outbox'): Promise<T> {
  const row: unknown = await world.db(table).orderBy('id', 'desc').first();
  return row as T;
}

async function names(world: World, scope: World['maria'], overrides: Partial<OverviewQuery> = {}) {
  const result = await world.service.overview(scope, query(overrides));
  if (result.status !== 'ok') throw new Error(result.status);
  return result.rows.map((row) => row.display_name);
}

function current(world: World, personKey: string, code: string) {
  return world
    .db('permissions as p')
    .join('services as s', 's.id', 'p.service_id')
    .where({ 'p.person_id': world.ids.person(personKey), 'p.employer_code_id': world.ids.code(code) })
    .whereNull('p.revoked_at')
    .orderBy('s.key')
    .pluck('s.key');
}

describe('the overview of users', () => {
  let world: World;
  beforeEach(async () => {
    world = await setUp();
  });

  it('shows an administrator only the users of its own codes, with their services there', async () => {
    expect(await names(world, world.johan)).toEqual(['Gunnel Holm', 'Lars Persson', 'Sara Karlsson']);
    const result = await world.service.overview(world.johan, query());
    if (result.status !== 'ok') throw new Error(result.status);
    const sara = result.rows.find((row) => row.display_name === 'Sara Karlsson');
    expect(sara?.codes?.map((code) => code.code)).toEqual(['40102']);
    expect(result.codes.map((code) => code.code)).toEqual(['40102']);
  });

  it('shows the orderer and an administrator of every code all users', async () => {
    const all = ['Gunnel Holm', 'Lars Persson', 'Mikko Virtanen', 'Sara Karlsson'];
    expect(await names(world, world.anna)).toEqual(all);
    expect(await names(world, world.maria)).toEqual(all);
  });

  it('searches on name, email, a whole or a partial identity number', async () => {
    expect(await names(world, world.maria, { search: 'karls' })).toEqual(['Sara Karlsson']);
    expect(await names(world, world.maria, { search: 'MIKKO.virtanen@' })).toEqual(['Mikko Virtanen']);
    expect(await names(world, world.maria, { search: '19121207-2423' })).toEqual(['Sara Karlsson']);
    expect(await names(world, world.maria, { search: '121206' })).toEqual(['Lars Persson']);
    expect(await names(world, world.maria, { search: '%' })).toEqual([]);
  });

  it('filters on a code, a service and inactivity, and refuses a code outside its own', async () => {
    expect(await names(world, world.maria, { codeId: world.ids.code('40199') })).toEqual(['Mikko Virtanen']);
    expect(await names(world, world.maria, { serviceKey: 'filoverforing' })).toEqual(['Lars Persson']);
    expect(await names(world, world.maria, { codeId: world.ids.code('40102'), serviceKey: 'rapport-direkt' })).toEqual([
      'Sara Karlsson',
    ]);
    expect(await names(world, world.maria, { inactiveOnly: true })).toEqual(['Gunnel Holm']);
    const result = await world.service.overview(world.johan, query({ codeId: world.ids.code('40101') }));
    expect(result.status).toBe('forbidden');
  });

  it('marks inactive users by the configured months', async () => {
    const result = await world.service.overview(world.maria, query());
    if (result.status !== 'ok') throw new Error(result.status);
    expect(result.rows.filter((row) => row.inactive).map((row) => row.display_name)).toEqual(['Gunnel Holm']);
    const patient = permissionsService(world.db, () => clock.now, {
      ...config,
      inactivity: { ...config.inactivity, months: 24 },
    });
    expect(await names(world, world.maria, { inactiveOnly: true })).toHaveLength(1);
    const none = await patient.overview(world.maria, query({ inactiveOnly: true }));
    expect(none.status === 'ok' && none.total).toBe(0);
  });

  it('pages 50 users at a time with the total', async () => {
    await installPinFunction(world.db);
    await addUsers(world.db, {
      count: 120,
      codeId: world.ids.code('40101'),
      serviceId: world.ids.service('rapporter'),
      grantedBy: world.ids.person('administrator-all-codes'),
    });
    const first = await world.service.overview(world.maria, query());
    const third = await world.service.overview(world.maria, query({ page: 3 }));
    if (first.status !== 'ok' || third.status !== 'ok') throw new Error('forbidden');
    expect(first.total).toBe(124);
    expect(first.pageCount).toBe(3);
    expect(first.rows).toHaveLength(50);
    expect(third.rows).toHaveLength(24);
    expect(third.rows.at(-1)?.display_name).toBe('Zeta 00119');
  });

  it('runs the same number of queries for 4 users as for 304', async () => {
    const queriesFor = async () => {
      let queries = 0;
      const count = () => {
        queries += 1;
      };
      world.db.on('query', count);
      await world.service.overview(world.maria, query({ search: 'a' }));
      world.db.off('query', count);
      return queries;
    };
    const few = await queriesFor();
    await installPinFunction(world.db);
    await addUsers(world.db, {
      count: 300,
      codeId: world.ids.code('40102'),
      serviceId: world.ids.service('rapporter'),
      grantedBy: world.ids.person('administrator-all-codes'),
    });
    const many = await queriesFor();
    expect(many).toBe(few);
    expect(few).toBeLessThanOrEqual(5);
  });
});

describe('the CSV export', () => {
  it('streams UTF-8 with a BOM, `;`, CRLF, one line per user and code, quoted where needed', async () => {
    const world = await setUp();
    await world
      .db('persons')
      .where({ id: world.ids.person('user-payroll') })
      .update({ display_name: 'Lars "LP"; Persson' });
    await world
      .db('permissions')
      .where({
        person_id: world.ids.person('user-payroll'),
        employer_code_id: world.ids.code('40102'),
        service_id: world.ids.service('filoverforing'),
      })
      .update({ expires_at: endMomentOf('2031-05-31') });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    const labels = {
      headers: {
        name: 'Namn',
        personalIdentityNumber: 'Personnummer',
        email: 'E-post',
        lastLogin: 'Senast',
        inactive: 'Inaktiv',
        code: 'Kod',
        services: 'Behörigheter',
        validThrough: 'Till och med',
      },
      yes: 'Ja',
      no: 'Nej',
    };
    expect(await world.service.exportCsv(world.johan, query(), out, labels)).toBe(true);
    out.end();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.startsWith(BOM)).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe('Namn;Personnummer;E-post;Senast;Inaktiv;Kod;Behörigheter;Till och med');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1)).toEqual([
      expect.stringMatching(
        /^Gunnel Holm;19121205-\*\*\*\*;gunnel\.holm@kulturarvsdata\.example;[0-9-]+ [0-9:]+;Ja;40102;Rapporter;$/,
      ),
      expect.stringMatching(
        /^"Lars ""LP""; Persson";19121206-\*\*\*\*;.*;Nej;40102;Visa anställning, Filöverföring;Filöverföring: 2031-05-31$/,
      ),
      expect.stringMatching(/^Sara Karlsson;19121207-\*\*\*\*;.*;Nej;40102;Rapport direkt;$/),
    ]);
    expect(text).not.toMatch(/19121207-?2423/);
    expect(await world.service.exportCsv(world.johan, query({ codeId: world.ids.code('40101') }), out, labels)).toBe(
      false,
    );
  });
});

describe('granting and removing single permissions', () => {
  let world: World;
  beforeEach(async () => {
    world = await setUp();
  });

  it('grants a permission with an audit row and an email in the person’s language', async () => {
    const before = await counts(world.db);
    const mikko = world.ids.person('user-finance');
    const outcome = await world.service.grant(
      world.maria,
      mikko,
      world.ids.code('40102'),
      world.ids.service('rapporter'),
    );
    expect(outcome).toEqual({ status: 'changed', value: { code: '40102', service: 'rapporter' } });
    expect(await current(world, 'user-finance', '40102')).toEqual(['rapporter']);
    const after = await counts(world.db);
    expect(after.audit - before.audit).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    const audit = await latest<AuditRow>(world, 'audit_log');
    expect(audit).toMatchObject({
      action: 'permission.granted',
      actor_person_id: world.ids.person('administrator-all-codes'),
      actor_role: 'administrator',
      employer_code_id: world.ids.code('40102'),
      subject_type: 'permission',
    });
    const mail = await latest<OutboxRow>(world, 'outbox');
    expect(mail).toMatchObject({
      template: 'permission-changed',
      language: 'en',
      recipient_email: 'mikko.virtanen@kulturarvsdata.example',
      recipient_person_id: mikko,
    });
    expect(mail.data).toMatchObject({
      code: '40102',
      granted: ['Reports'],
      removed: [],
      link: `${config.baseUrl}/oversikt`,
    });
    expect(JSON.stringify(mail.data)).not.toContain(PIN['user-finance']);
  });

  it('says so and writes nothing when the permission is already granted', async () => {
    const before = await counts(world.db);
    const outcome = await world.service.grant(
      world.johan,
      world.ids.person('user-reporting'),
      world.ids.code('40102'),
      world.ids.service('rapport-direkt'),
    );
    expect(outcome).toEqual({ status: 'unchanged' });
    expect(await counts(world.db)).toEqual(before);
  });

  it('removes a permission (revoked, never deleted), then says so when it is already gone', async () => {
    const sara = world.ids.person('user-reporting');
    const args = [sara, world.ids.code('40101'), world.ids.service('visa-anstallning')] as const;
    const before = await counts(world.db);
    expect((await world.service.revoke(world.maria, ...args)).status).toBe('changed');
    const row = await world
      .db('permissions')
      .where({ person_id: sara, employer_code_id: args[1], service_id: args[2] })
      .first<{ revoked_at: Date | null; revoked_by_person_id: string | null }>();
    expect(row.revoked_at).toBeInstanceOf(Date);
    expect(row.revoked_by_person_id).toBe(world.ids.person('administrator-all-codes'));
    const mail = await latest<OutboxRow>(world, 'outbox');
    expect(mail.data).toMatchObject({ code: '40101', granted: [], removed: ['Visa anställning'] });
    const afterFirst = await counts(world.db);
    expect(afterFirst).toEqual({ audit: before.audit + 1, outbox: before.outbox + 1, permissions: before.permissions });
    expect(await world.service.revoke(world.maria, ...args)).toEqual({ status: 'unchanged' });
    expect(await counts(world.db)).toEqual(afterFirst);
  });

  it('refuses codes, persons and employers outside the administrator’s reach, writing nothing', async () => {
    const before = await counts(world.db);
    const sara = world.ids.person('user-reporting');
    const service = world.ids.service('rapporter');
    expect((await world.service.grant(world.johan, sara, world.ids.code('40101'), service)).status).toBe('forbidden');
    expect(
      (await world.service.revoke(world.johan, sara, world.ids.code('40101'), world.ids.service('rapport-direkt')))
        .status,
    ).toBe('forbidden');
    expect((await world.service.removeFromCode(world.johan, sara, world.ids.code('40101'))).status).toBe('forbidden');
    // Mikko has no permission on 40102: out of Johan's reach altogether
    const mikko = world.ids.person('user-finance');
    expect((await world.service.grant(world.johan, mikko, world.ids.code('40102'), service)).status).toBe('forbidden');
    expect((await world.service.removeFromEmployer(world.johan, mikko)).status).toBe('forbidden');
    expect((await world.service.user(world.johan, mikko)).status).toBe('forbidden');
    // a user of the employer is no administrator, whatever the session claims
    const saraAsAdmin = scopeFor(world.ids, 'user-reporting', 'administrator');
    expect((await world.service.grant(saraAsAdmin, sara, world.ids.code('40102'), service)).status).toBe('forbidden');
    // another employer's id: Johan administers nothing there
    const [other] = await world
      .db('employers')
      .insert({ organisation_number: '2021005489', name: 'Annan myndighet' })
      .returning<{ id: string }[]>('id');
    const elsewhere = { ...world.johan, employerId: String(other?.id) };
    expect((await world.service.grant(elsewhere, sara, world.ids.code('40102'), service)).status).toBe('forbidden');
    expect((await world.service.overview(elsewhere, query())).status).toBe('forbidden');
    expect(await counts(world.db)).toEqual(before);
  });

  it('lets two administrators edit the same user at once without losing either change', async () => {
    const lars = world.ids.person('user-payroll');
    const code = world.ids.code('40102');
    const results = await Promise.all([
      world.service.grant(world.maria, lars, code, world.ids.service('rapporter')),
      world.service.grant(world.johan, lars, code, world.ids.service('rapport-direkt')),
      world.service.revoke(world.johan, lars, code, world.ids.service('visa-anstallning')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['changed', 'changed', 'changed']);
    expect(await current(world, 'user-payroll', '40102')).toEqual(['filoverforing', 'rapport-direkt', 'rapporter']);
  });

  it('grants the same permission once when two administrators grant it at the same moment', async () => {
    const lars = world.ids.person('user-payroll');
    const args = [lars, world.ids.code('40102'), world.ids.service('rapporter')] as const;
    const before = await counts(world.db);
    const results = await Promise.all([
      world.service.grant(world.maria, ...args),
      world.service.grant(world.johan, ...args),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['changed', 'unchanged']);
    expect(await counts(world.db)).toEqual({
      audit: before.audit + 1,
      outbox: before.outbox + 1,
      permissions: before.permissions + 1,
    });
  });
});

describe('adding and removing users', () => {
  let world: World;
  beforeEach(async () => {
    world = await setUp();
  });

  it('adds a new person with services on several codes: one email per code, an audit row per grant and code', async () => {
    const before = await counts(world.db);
    const outcome = await world.service.addUser(world.maria, {
      personalIdentityNumber: '198507099805',
      name: 'Eva Ek',
      email: 'eva.ek@example.org',
      grants: [
        { codeId: world.ids.code('40101'), serviceId: world.ids.service('rapporter') },
        { codeId: world.ids.code('40101'), serviceId: world.ids.service('filoverforing') },
        { codeId: world.ids.code('40102'), serviceId: world.ids.service('rapporter') },
      ],
    });
    if (outcome.status !== 'changed') throw new Error(outcome.status);
    expect(outcome.value).toMatchObject({ created: true, granted: 3 });
    const after = await counts(world.db);
    expect(after.permissions - before.permissions).toBe(3);
    // three grants, and the new person once on each of the two codes (so each code's history shows them)
    expect(after.audit - before.audit).toBe(5);
    const added = await world
      .db('audit_log')
      .where({ action: 'user.added', subject_id: outcome.value.personId })
      .orderBy('id')
      .pluck('employer_code_id');
    expect(added).toEqual([world.ids.code('40101'), world.ids.code('40102')]);
    const mails = await world.db('outbox').where({ recipient_person_id: outcome.value.personId }).orderBy('id');
    expect(
      mails.map((mail: { data: { code: string; granted: string[] } }) => [mail.data.code, mail.data.granted]),
    ).toEqual([
      ['40101', ['Filöverföring', 'Rapporter']],
      ['40102', ['Rapporter']],
    ]);
  });

  it('matches a known person by identity number instead of making a second one', async () => {
    const personsBefore = await world.db('persons').count<{ count: number }[]>('* as count');
    const outcome = await world.service.addUser(world.johan, {
      personalIdentityNumber: PIN['user-reporting'] ?? '',
      name: 'Someone Else',
      email: 'other@example.org',
      grants: [{ codeId: world.ids.code('40102'), serviceId: world.ids.service('rapporter') }],
    });
    expect(outcome).toMatchObject({
      status: 'changed',
      value: { personId: world.ids.person('user-reporting'), created: false, granted: 1 },
    });
    expect(await world.db('persons').count<{ count: number }[]>('* as count')).toEqual(personsBefore);
    const sara = await world
      .db('persons')
      .where({ id: world.ids.person('user-reporting') })
      .first<{ display_name: string; email: string }>();
    expect(sara).toMatchObject({ display_name: 'Sara Karlsson', email: 'sara.karlsson@kulturarvsdata.example' });
  });

  it('fills in a known person’s missing email, audited on the code of the form', async () => {
    const sara = world.ids.person('user-reporting');
    await world.db('persons').where({ id: sara }).update({ email: null });
    const outcome = await world.service.addUser(world.johan, {
      personalIdentityNumber: PIN['user-reporting'] ?? '',
      name: 'Sara Karlsson',
      email: 'sara@example.org',
      grants: [{ codeId: world.ids.code('40102'), serviceId: world.ids.service('rapporter') }],
    });
    expect(outcome).toMatchObject({ status: 'changed', value: { created: false } });
    expect(await world.db('persons').where({ id: sara }).first('email')).toEqual({ email: 'sara@example.org' });
    const rows = await world
      .db('audit_log')
      .where({ action: 'person.contact_completed', subject_id: sara })
      .select('employer_code_id', 'before', 'after');
    expect(rows).toEqual([
      { employer_code_id: world.ids.code('40102'), before: { email: null }, after: { email: 'sara@example.org' } },
    ]);
  });

  it('refuses to add on a code outside the administrator’s own', async () => {
    const before = await counts(world.db);
    const outcome = await world.service.addUser(world.johan, {
      personalIdentityNumber: '198507099805',
      name: 'Eva Ek',
      email: 'eva.ek@example.org',
      grants: [{ codeId: world.ids.code('40101'), serviceId: world.ids.service('rapporter') }],
    });
    expect(outcome.status).toBe('forbidden');
    expect(await counts(world.db)).toEqual(before);
    expect(await world.db('persons').where({ personal_identity_number: '198507099805' }).first()).toBeUndefined();
  });

  it('removes a user from one code: every permission there ends, audited and emailed', async () => {
    const outcome = await world.service.removeFromCode(
      world.maria,
      world.ids.person('user-reporting'),
      world.ids.code('40101'),
    );
    expect(outcome).toEqual({ status: 'changed', value: { code: '40101' } });
    expect(await current(world, 'user-reporting', '40101')).toEqual([]);
    expect(await current(world, 'user-reporting', '40102')).toEqual(['rapport-direkt']);
    const audit = await latest<AuditRow>(world, 'audit_log');
    expect(audit).toMatchObject({ action: 'user.removed_from_code', subject_id: world.ids.person('user-reporting') });
    expect(audit.before?.permissions).toHaveLength(2);
    const mail = await latest<OutboxRow>(world, 'outbox');
    expect(mail).toMatchObject({ template: 'user-removed', data: { code: '40101' } });
    expect(
      await world.service.removeFromCode(world.maria, world.ids.person('user-reporting'), world.ids.code('40101')),
    ).toEqual({ status: 'unchanged' });
  });

  it('removes a user from the employer: only the codes the administrator holds', async () => {
    const before = await counts(world.db);
    const outcome = await world.service.removeFromEmployer(world.johan, world.ids.person('user-payroll'));
    expect(outcome.status).toBe('changed');
    expect(await current(world, 'user-payroll', '40102')).toEqual([]);
    expect(await current(world, 'user-payroll', '40101')).toEqual(['filoverforing']);
    const after = await counts(world.db);
    expect(after).toEqual({ audit: before.audit + 1, outbox: before.outbox + 1, permissions: before.permissions });
    expect(await world.service.removeFromEmployer(world.johan, world.ids.person('user-payroll'))).toEqual({
      status: 'unchanged',
    });
  });

  it('removes several inactive users at once, each audited and emailed, keeping one who is active', async () => {
    const gunnel = world.ids.person('user-inactive');
    // an old import of Lars's that never logged in either
    await world
      .db('persons')
      .where({ id: world.ids.person('user-payroll') })
      .update({ last_login_at: null });
    const before = await counts(world.db);
    const outcome = await world.service.removeInactive(world.maria, [
      gunnel,
      world.ids.person('user-payroll'),
      world.ids.person('user-reporting'),
    ]);
    expect(outcome).toEqual({ status: 'changed', value: { removed: 2, kept: 1 } });
    expect(await current(world, 'user-inactive', '40102')).toEqual([]);
    expect(await current(world, 'user-reporting', '40101')).toEqual(['rapport-direkt', 'visa-anstallning']);
    const after = await counts(world.db);
    // Gunnel: one code; Lars: two codes (one audit row each) and one email per person
    expect(after.audit - before.audit).toBe(3);
    expect(after.outbox - before.outbox).toBe(2);
  });

  it('refuses a bulk removal naming a person outside the administrator’s codes', async () => {
    const before = await counts(world.db);
    const outcome = await world.service.removeInactive(world.johan, [
      world.ids.person('user-inactive'),
      world.ids.person('user-finance'),
    ]);
    expect(outcome.status).toBe('forbidden');
    expect(await counts(world.db)).toEqual(before);
  });
});
