import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths } from '../../src/paths';
import { insertEmployer, insertPerson } from '../db/fixtures';
import { buildTestApp, type TestApp } from '../helpers/app';
import { FULL_PIN, html, loggedIn } from '../staff/helpers';
import { auditAbout, codeWith, employerWith, grant, letterEmployers, STAFF_PIN } from './fixtures';

let testApp: TestApp;
const IMPORTED_AT = new Date('2020-02-01T00:00:00Z');
const BEFORE_IMPORT = new Date('2020-01-15T00:00:00Z');
const AFTER_IMPORT = new Date('2020-03-05T00:00:00Z');

let fixture: Awaited<ReturnType<typeof build>>;

/**
 * Beside the demo employer: the letter's employers (active, revoked, expired and no orderer; with and without an
 * address), 55 more without anything (so the lists have two pages), codes with current, revoked, expired and no
 * administrators, and imported users reviewed in every way that counts and every way that does not.
 */
async function build(db: Knex) {
  const employers = await letterEmployers(db);
  for (let n = 0; n < 55; n += 1) await insertEmployer(db, { name: `Ö-verket ${String(n).padStart(2, '0')}` });
  const other = await employerWith(db, 'G-verket', { registryEmail: 'registrator@g.example', orderer: 'active' });
  const codes = {
    current: await codeWith(db, employers.a, { active: true, administrator: 'current' }),
    revoked: await codeWith(db, employers.a, { active: true, administrator: 'revoked' }),
    expired: await codeWith(db, employers.b, { active: true, administrator: 'expired' }),
    none: await codeWith(db, employers.e, { active: true, administrator: 'none' }),
    closed: await codeWith(db, employers.b, { active: false, administrator: 'none' }),
    other: await codeWith(db, other, { active: true, administrator: 'current' }),
  };
  const person = (name: string) => insertPerson(db, { display_name: name, email: `${name.toLowerCase()}@example.se` });
  const persons = {
    reviewed: (await person('Rut')).id,
    byStaff: (await person('Stina')).id,
    otherCode: (await person('Otto')).id,
    beforeImport: (await person('Bengt')).id,
    revoked: (await person('Vera')).id,
    twoServices: (await person('Tove')).id,
    byDelegate: (await person('Dan')).id,
    portalOnly: (await person('Pia')).id,
    actor: (await person('Adam')).id,
  };
  const imported = (personId: string, codeId: string, extra: { service?: string; revokedAt?: Date } = {}) =>
    grant(db, personId, codeId, { source: 'import', grantedAt: IMPORTED_AT, ...extra });
  // reviewed: an administrator changed something about the person on that code after the import
  await imported(persons.reviewed, codes.current);
  await auditAbout(db, persons.reviewed, codes.current, {
    actorId: persons.actor,
    role: 'administrator',
    at: AFTER_IMPORT,
  });
  await auditAbout(db, persons.reviewed, codes.current, { actorId: persons.actor, role: 'orderer', at: AFTER_IMPORT });
  await imported(persons.byDelegate, codes.other);
  await auditAbout(db, persons.byDelegate, codes.other, { actorId: persons.actor, role: 'delegate', at: AFTER_IMPORT });
  // not reviewed: staff are not the employer; another code; before the import
  await imported(persons.byStaff, codes.current);
  await auditAbout(db, persons.byStaff, codes.current, { actorId: persons.actor, role: 'staff', at: AFTER_IMPORT });
  await imported(persons.otherCode, codes.revoked);
  await auditAbout(db, persons.otherCode, codes.current, {
    actorId: persons.actor,
    role: 'administrator',
    at: AFTER_IMPORT,
  });
  await imported(persons.beforeImport, codes.revoked);
  await auditAbout(db, persons.beforeImport, codes.revoked, {
    actorId: persons.actor,
    role: 'administrator',
    at: BEFORE_IMPORT,
  });
  // counted once per person and code, current or past
  await imported(persons.revoked, codes.expired, { revokedAt: AFTER_IMPORT });
  await imported(persons.twoServices, codes.none);
  await imported(persons.twoServices, codes.none, { service: 'filoverforing' });
  // the portal's own grants are not imported users
  await grant(db, persons.portalOnly, codes.current, {
    source: 'portal',
    grantedAt: IMPORTED_AT,
    grantedBy: persons.actor,
  });
  return { codes, persons };
}

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  fixture = await build(testApp.db);
});

/** The figures, counted here independently: row by row in JavaScript from plain selects. */
async function expectedFigures(db: Knex, now: Date) {
  const employers = await db('employers').select<{ id: string; registry_email: string | null }[]>(
    'id',
    'registry_email',
  );
  const roles = await db('role_assignments').select<
    {
      employer_id: string;
      employer_code_id: string | null;
      role: string;
      valid_until: Date | null;
      revoked_at: Date | null;
    }[]
  >('employer_id', 'employer_code_id', 'role', 'valid_until', 'revoked_at');
  const current = (role: { valid_until: Date | null; revoked_at: Date | null }) =>
    role.revoked_at === null && (role.valid_until === null || role.valid_until > now);
  const withOrderer = new Set(roles.filter((r) => r.role === 'orderer' && current(r)).map((r) => r.employer_id));
  const administered = new Set(
    roles.filter((r) => r.role === 'administrator' && current(r)).map((r) => r.employer_code_id),
  );
  const codes = await db('employer_codes').where({ active: true }).select<{ id: string }[]>('id');
  const permissions = await db('permissions')
    .where({ source: 'import' })
    .select<{ person_id: string; employer_code_id: string; granted_at: Date }[]>(
      'person_id',
      'employer_code_id',
      'granted_at',
    );
  const pairs = new Map<string, { person: string; code: string; at: Date }>();
  for (const p of permissions) {
    const key = `${p.person_id}/${p.employer_code_id}`;
    const seen = pairs.get(key);
    if (!seen || p.granted_at < seen.at)
      pairs.set(key, { person: p.person_id, code: p.employer_code_id, at: p.granted_at });
  }
  const audit = await db('audit_log')
    .where({ subject_type: 'person', actor_type: 'person' })
    .whereIn('actor_role', ['orderer', 'delegate', 'administrator'])
    .select<{ subject_id: string; employer_code_id: string | null; occurred_at: Date }[]>(
      'subject_id',
      'employer_code_id',
      'occurred_at',
    );
  const reviewed = [...pairs.values()].filter((pair) =>
    audit.some(
      (row) => row.subject_id === pair.person && row.employer_code_id === pair.code && row.occurred_at >= pair.at,
    ),
  );
  const letters = new Set(
    (await db('launch_letters').select<{ employer_id: string }[]>('employer_id')).map((l) => l.employer_id),
  );
  return {
    employers: employers.length,
    withOrderer: withOrderer.size,
    withoutOrderer: employers.length - withOrderer.size,
    letterSent: letters.size,
    letterNotSent: employers.length - letters.size,
    withoutRegistryEmail: employers.filter((e) => e.registry_email === null).length,
    activeCodes: codes.length,
    codesWithoutAdministrator: codes.filter((code) => !administered.has(code.id)).length,
    importedUsers: pairs.size,
    reviewedUsers: reviewed.length,
    notReviewedUsers: pairs.size - reviewed.length,
  };
}

function shownFigures($: ReturnType<typeof html>): Record<string, number> {
  return Object.fromEntries(
    $('[data-testid^=figure-]')
      .map((_, cell) => [
        [String($(cell).attr('data-testid')).slice('figure-'.length), Number($(cell).text().replace(/\D/g, ''))],
      ])
      .get() as [string, number][],
  );
}

/** Every row of a list, following its pages. */
async function allRows(agent: Awaited<ReturnType<typeof loggedIn>>, path: string, selector: string, attribute: string) {
  const found: string[] = [];
  for (let page = 1; page < 10; page += 1) {
    const $ = html(await agent.get(`${path}${path.includes('?') ? '&' : '?'}sida=${String(page)}`).expect(200));
    const rows = $(selector)
      .map((_, row) => (attribute === 'text' ? $(row).find('th').text().trim() : String($(row).attr(attribute))))
      .get();
    found.push(...rows);
    if ($('[data-testid=pagination] a[rel=next]').length === 0) break;
  }
  return found;
}

describe('the launch dashboard', () => {
  it('shows the figures that independent counts of the database give', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const $ = html(await agent.get(paths.launch.dashboard).expect(200));
    expect($('h1')).toHaveLength(1);
    const expected = await expectedFigures(testApp.db, new Date(testApp.clock.now));
    expect(shownFigures($)).toEqual(expected);
    // and the fixture's own arithmetic: demo + A..F + G + 55 employers; demo, A, F, G with an active orderer
    expect(expected).toMatchObject({
      employers: 63,
      withOrderer: 4,
      withoutRegistryEmail: 57,
      codesWithoutAdministrator: 3,
      importedUsers: 9,
      reviewedUsers: 2,
    });
  });

  it('counts a letter sent, and a review made, as soon as they happen', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const employer = await testApp.db('employers').where({ name: 'B-verket' }).first<{ id: string }>('id');
    const staff = await testApp
      .db('persons')
      .where({ personal_identity_number: STAFF_PIN })
      .first<{ id: string }>('id');
    await testApp.db('launch_letters').insert({
      submission_id: '00000000-0000-4000-8000-00000000000a',
      employer_id: employer.id,
      recipient_email: 'registrator@b.example',
      audience: 'all',
      resent: false,
      sent_by_person_id: staff.id,
      sent_at: new Date(testApp.clock.now),
    });
    await auditAbout(testApp.db, fixture.persons.byStaff, fixture.codes.current, {
      actorId: fixture.persons.actor,
      role: 'administrator',
      at: new Date(testApp.clock.now),
    });
    const shown = shownFigures(html(await agent.get(paths.launch.dashboard).expect(200)));
    expect(shown).toEqual(await expectedFigures(testApp.db, new Date(testApp.clock.now)));
    expect([shown.letterSent, shown.reviewedUsers]).toEqual([1, 3]);
  });

  it('lists the employers behind each figure, 50 a page, the same ones the database gives', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const now = new Date(testApp.clock.now);
    const withOrderer = await testApp
      .db('employers as e')
      .whereExists((q) => {
        q.from('role_assignments as r')
          .whereRaw('r.employer_id = e.id')
          .where({ 'r.role': 'orderer' })
          .whereNull('r.revoked_at')
          .where((w) => {
            w.whereNull('r.valid_until').orWhere('r.valid_until', '>', now);
          });
      })
      .pluck<string[]>('e.id');
    const all = await testApp.db('employers').pluck<string[]>('id');
    const listed = (filter: string) =>
      allRows(agent, `${paths.launch.employers}?urval=${filter}`, '[data-testid=employer]', 'data-employer-id');

    const first = html(await agent.get(paths.launch.employers).expect(200));
    expect(first('[data-testid=employer]')).toHaveLength(50);
    expect(first('[data-testid=result-count]').text()).toContain('63');
    expect((await listed('alla')).sort()).toEqual(all.sort());
    expect((await listed('med-bestallare')).sort()).toEqual(withOrderer.sort());
    expect((await listed('utan-bestallare')).sort()).toEqual(all.filter((id) => !withOrderer.includes(id)).sort());
    const sent = await testApp.db('launch_letters').distinct('employer_id').pluck<string[]>('employer_id');
    expect(await listed('brev-skickat')).toEqual(sent);
    const noAddress = await testApp.db('employers').whereNull('registry_email').pluck<string[]>('id');
    expect((await listed('utan-adress')).sort()).toEqual(noAddress.sort());
  });

  it('lists the active codes without a current administrator', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const codes = await allRows(agent, paths.launch.codes, '[data-testid=code]', 'text');
    const expected = await testApp
      .db('employer_codes')
      .whereIn('id', [fixture.codes.revoked, fixture.codes.expired, fixture.codes.none])
      .orderBy('code')
      .pluck<string[]>('code');
    expect(codes).toEqual(expected);
  });

  it('lists the imported users, reviewed and not, without any identity number', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const names = async (filter: string) =>
      (await allRows(agent, `${paths.launch.imported}?urval=${filter}`, '[data-testid=imported-user]', 'text')).sort();
    expect(await names('granskade')).toEqual(['Dan', 'Rut', 'Stina']);
    expect(await names('ej-granskade')).toEqual(
      ['Bengt', 'Gunnel Holm', 'Lars Persson', 'Otto', 'Tove', 'Vera'].sort(),
    );
    const page = await agent.get(paths.launch.imported).expect(200);
    expect(page.text).not.toMatch(FULL_PIN);
    expect(html(page)('[data-testid=imported-user]')).toHaveLength(9);
  });

  it('exports each list as CSV: UTF-8 with BOM, semicolons, every row, no identity number', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const employers = await csv(agent, `${paths.launch.employersCsv}?urval=utan-bestallare`);
    expect(employers.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(employers.headers['content-disposition']).toContain('arbetsgivare-inforande.csv');
    const lines = String(employers.body).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      '\uFEFFArbetsgivare;Organisationsnummer;E-postadress till registratur;Behörig beställare;Beställarens e-post;Antal lanseringsbrev;Senaste lanseringsbrev',
    );
    expect(lines).toHaveLength(1 + 59);
    expect(lines.find((line) => line.startsWith('B-verket;'))).toMatch(
      /^B-verket;\d{6}-\d{4};registrator@b\.example;;;1;\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
    );

    const codes = await csv(agent, paths.launch.codesCsv);
    expect(String(codes.body).split('\r\n').filter(Boolean)).toHaveLength(1 + 3);

    const imported = await csv(agent, paths.launch.importedCsv);
    const rows = String(imported.body).split('\r\n').filter(Boolean);
    expect(rows).toHaveLength(1 + 9);
    expect(rows.find((line) => line.startsWith('Rut;'))).toMatch(
      /;rut@example\.se;\d+;A-verket;\d{6}-\d{4};2020-02-01 01:00;Ja;Ja;2020-03-05 01:00$/,
    );
    expect(rows.find((line) => line.startsWith('Vera;'))).toMatch(/;Nej;Nej;$/);
    for (const response of [employers, codes, imported]) expect(String(response.body)).not.toMatch(FULL_PIN);
  });
});

/** A CSV download as its text (supertest leaves an unknown type as a buffer). */
function csv(agent: Awaited<ReturnType<typeof loggedIn>>, path: string) {
  return agent
    .get(path)
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      res.on('end', () => {
        callback(null, Buffer.concat(chunks).toString('utf8'));
      });
    })
    .expect(200);
}
