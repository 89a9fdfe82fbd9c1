import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { errorSummary, html, loggedIn, STAFF_PIN, submit } from '../staff/helpers';
import type { Agent } from 'supertest';

interface AuditRow {
  actor_type: string;
  actor_person_id: string | null;
  actor_role: string | null;
  employer_id: string | null;
  employer_code_id: string | null;
  action: string;
  subject_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

describe('staff register an employer and its codes', () => {
  let testApp: TestApp;
  let agent: Agent;
  let staffId: string;

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    agent = await loggedIn(testApp, STAFF_PIN);
    staffId = (await testApp.db('persons').where({ personal_identity_number: STAFF_PIN }).first<{ id: string }>('id'))
      .id;
  });

  const counts = async () => ({
    employers: Number((await testApp.db('employers').count<{ c: number }[]>({ c: '*' }))[0]?.c),
    codes: Number((await testApp.db('employer_codes').count<{ c: number }[]>({ c: '*' }))[0]?.c),
    audit: Number((await testApp.db('audit_log').count<{ c: number }[]>({ c: '*' }))[0]?.c),
  });

  it('registers an employer and two codes, audited with the staff member and the request id', async () => {
    const form = html(await agent.get(paths.staff.newEmployer).expect(200));
    expect(form('form[data-testid=employer-form] input[name=_csrf]').val()).toBeTruthy();
    expect(form('label[for=organisationNumber]')).toHaveLength(1);

    const registered = await submit(
      agent,
      paths.staff.newEmployer,
      {
        organisationNumber: ' 202100-5489 ',
        name: 'Statens provverk',
        registryEmail: 'registrator@provverk.example',
      },
      { 'X-Request-Id': 'req-register-employer-1' },
    );
    expect(registered.status).toBe(302);
    const employer = await testApp
      .db('employers')
      .where({ organisation_number: '2021005489' })
      .first<{ id: string; name: string; registry_email: string }>();
    expect(employer).toMatchObject({ name: 'Statens provverk', registry_email: 'registrator@provverk.example' });
    const employerPath = pathTo(paths.staff.employer, { employerId: employer.id });
    expect(registered.headers.location).toBe(employerPath);

    const page = html(await agent.get(employerPath).expect(200));
    expect(page('[data-testid=flash]').text()).toContain('Statens provverk');
    expect(page('[data-testid=organisation-number]').text()).toBe('202100-5489');
    expect(page('[data-testid=no-codes]')).toHaveLength(1);
    // the flash is shown once
    expect(html(await agent.get(employerPath).expect(200))('[data-testid=flash]')).toHaveLength(0);

    const newCode = pathTo(paths.staff.newCode, { employerId: employer.id });
    expect(html(await agent.get(newCode).expect(200))('fieldset legend').text()).toBe('Status');
    const active = await submit(agent, newCode, { code: '77001', name: 'Huvudkontor', status: 'active', closedOn: '' });
    expect(active.status).toBe(302);
    const closed = await submit(
      agent,
      newCode,
      {
        code: '77009',
        name: 'Gamla enheten',
        status: 'inactive',
        closedOn: '2024-06-30',
      },
      { 'X-Request-Id': 'req-add-code-77009' },
    );
    expect(closed.status).toBe(302);
    expect(closed.headers.location).toBe(employerPath);

    const codes = await testApp
      .db('employer_codes')
      .where({ employer_id: employer.id })
      .orderBy('code')
      .select<{ id: string; code: string; active: boolean; closed_on: string | null }[]>(
        'id',
        'code',
        'active',
        testApp.db.raw("to_char(closed_on, 'YYYY-MM-DD') as closed_on"),
      );
    expect(codes.map(({ code, active, closed_on }) => ({ code, active, closed_on }))).toEqual([
      { code: '77001', active: true, closed_on: null },
      { code: '77009', active: false, closed_on: '2024-06-30' },
    ]);

    const audit = await testApp
      .db('audit_log')
      .where({ employer_id: employer.id })
      .orderBy('id')
      .select<AuditRow[]>('*');
    expect(audit.map((row) => row.action)).toEqual([
      'employer.registered',
      'employer_code.added',
      'employer_code.added',
    ]);
    for (const row of audit) {
      expect(row).toMatchObject({ actor_type: 'person', actor_person_id: staffId, actor_role: 'staff' });
    }
    expect(audit[0]).toMatchObject({
      request_id: 'req-register-employer-1',
      subject_id: employer.id,
      before: null,
      after: {
        organisationNumber: '2021005489',
        name: 'Statens provverk',
        registryEmail: 'registrator@provverk.example',
      },
    });
    expect(audit[2]).toMatchObject({
      request_id: 'req-add-code-77009',
      employer_code_id: codes[1]?.id,
      after: { code: '77009', name: 'Gamla enheten', active: false, closedOn: '2024-06-30' },
    });

    const shown = html(await agent.get(employerPath).expect(200));
    expect(
      shown('[data-testid=codes] tbody th')
        .map((_, th) => shown(th).text())
        .get(),
    ).toEqual(['77001', '77009']);
    expect(shown('[data-testid=flash]').text()).toContain('77009');
  });

  it.each([
    [
      'an organisation number that fails the check digit, an empty name and a malformed email',
      { organisationNumber: '202100-5488', name: '  ', registryEmail: 'registrator.example' },
      [
        ['#organisationNumber', 'Organisationsnumret är inte giltigt'],
        ['#name', 'Fyll i arbetsgivarens namn'],
        ['#registryEmail', 'Skriv e-postadressen'],
      ],
    ],
    [
      'nothing at all',
      {},
      [
        ['#organisationNumber', 'Fyll i organisationsnummer'],
        ['#name', 'Fyll i arbetsgivarens namn'],
        ['#registryEmail', 'Fyll i e-postadress'],
      ],
    ],
    [
      'the organisation number of an employer already registered',
      { organisationNumber: '2021990011', name: 'Kopia', registryEmail: 'kopia@example.se' },
      [['#organisationNumber', 'Det finns redan en arbetsgivare']],
    ],
  ])(
    'refuses %s: 422, the summary, messages by the fields, input kept, nothing stored',
    async (_, fields, expected) => {
      const before = await counts();
      const response = await submit(agent, paths.staff.newEmployer, fields);
      expect(response.status).toBe(422);
      const $ = html(response);
      const summary = errorSummary($);
      expect(summary.map((entry) => entry.href)).toEqual(expected.map(([href]) => href));
      summary.forEach((entry, index) => {
        expect(entry.text).toContain(expected[index]?.[1]);
      });
      for (const [href] of expected) {
        const id = String(href).slice(1);
        expect($(`#${id}`).attr('aria-invalid')).toBe('true');
        expect($(`#${id}-error`).text()).toContain(expected.find(([h]) => h === href)?.[1]);
      }
      for (const [name, value] of Object.entries(fields)) expect($(`input[name=${name}]`).val()).toBe(value);
      expect($('title').text()).toMatch(/^Fel: /);
      expect(await counts()).toEqual(before);
    },
  );

  it('refuses a code that exists at any employer, and a closed date on an active code', async () => {
    const employer = await testApp
      .db('employers')
      .where({ organisation_number: '2021005489' })
      .first<{ id: string }>('id');
    const newCode = pathTo(paths.staff.newCode, { employerId: employer.id });
    const before = await counts();

    const duplicate = await submit(agent, newCode, { code: '40101', name: 'Kopia', status: 'active', closedOn: '' });
    expect(duplicate.status).toBe(422);
    expect(errorSummary(html(duplicate))).toEqual([{ href: '#code', text: 'Arbetsgivarkoden finns redan.' }]);

    const mixed = await submit(agent, newCode, { code: '', name: 'X', status: 'active', closedOn: '2024-01-01' });
    expect(mixed.status).toBe(422);
    expect(errorSummary(html(mixed)).map((entry) => entry.href)).toEqual(['#code', '#closedOn']);
    expect(html(mixed)('input[name=status][value=active]').attr('checked')).toBeDefined();

    const noDate = await submit(agent, newCode, { code: '77010', name: 'X', status: 'inactive', closedOn: '' });
    expect(errorSummary(html(noDate))).toEqual([
      { href: '#closedOn', text: 'Fyll i datumet då arbetsgivarkoden avslutades.' },
    ]);
    const noStatus = await submit(agent, newCode, { code: '77010', name: 'X' });
    expect(errorSummary(html(noStatus)).map((entry) => entry.href)).toEqual(['#status']);
    expect(await counts()).toEqual(before);
  });

  it('turns a duplicate that slips past the check into a field error, not a 500', async () => {
    const employer = await testApp
      .db('employers')
      .where({ organisation_number: '2021005489' })
      .first<{ id: string }>('id');
    const actor = { type: 'person', personId: staffId, role: 'staff', requestId: undefined } as const;
    const input = { code: '88001', name: 'Samtidig', active: true, closedOn: null };
    const outcomes = await Promise.all([
      testApp.services.employers.addCode(employer.id, input, actor),
      testApp.services.employers.addCode(employer.id, input, actor),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['invalid', 'saved']);
    expect(await testApp.db('employer_codes').where({ code: '88001' })).toHaveLength(1);
  });
});
