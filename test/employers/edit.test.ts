import type { Agent } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMPLOYER, loadDemoData } from '../../src/demo/seed';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { errorSummary, html, loggedIn, STAFF_PIN, submit } from '../staff/helpers';

interface CodeState {
  id: string;
  code: string;
  name: string;
  active: boolean;
  closed_on: string | null;
}

describe('staff edit an employer and its codes', () => {
  let testApp: TestApp;
  let agent: Agent;
  let employerId: string;

  const code = (value: string) =>
    testApp
      .db('employer_codes')
      .where({ code: value })
      .first<CodeState>(
        'id',
        'code',
        'name',
        'active',
        testApp.db.raw("to_char(closed_on, 'YYYY-MM-DD') as closed_on"),
      );
  const audit = (action: string) =>
    testApp
      .db('audit_log')
      .where({ action })
      .orderBy('id')
      .select<{ actor_role: string; employer_code_id: string | null; before: unknown; after: unknown }[]>('*');

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    agent = await loggedIn(testApp, STAFF_PIN);
    employerId = (
      await testApp
        .db('employers')
        .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
        .first<{ id: string }>('id')
    ).id;
  });

  it('shows the employer form filled in and saves a change, audited before and after', async () => {
    const editPath = pathTo(paths.staff.editEmployer, { employerId });
    const form = html(await agent.get(editPath).expect(200));
    expect(form('input[name=organisationNumber]').val()).toBe('202199-0011');
    expect(form('input[name=name]').val()).toBe(DEMO_EMPLOYER.name);

    const saved = await submit(agent, editPath, {
      organisationNumber: '2021990011',
      name: 'Riksmyndigheten för kulturarvsdata',
      registryEmail: 'diarium@kulturarvsdata.example',
    });
    expect(saved.status).toBe(302);
    expect(saved.headers.location).toBe(pathTo(paths.staff.employer, { employerId }));
    const row = await testApp
      .db('employers')
      .where({ id: employerId })
      .first<{ name: string; registry_email: string }>();
    expect(row).toMatchObject({
      name: 'Riksmyndigheten för kulturarvsdata',
      registry_email: 'diarium@kulturarvsdata.example',
    });
    const [entry] = await audit('employer.updated');
    expect(entry).toMatchObject({
      actor_role: 'staff',
      before: { name: DEMO_EMPLOYER.name, registryEmail: DEMO_EMPLOYER.registryEmail },
      after: { name: 'Riksmyndigheten för kulturarvsdata', registryEmail: 'diarium@kulturarvsdata.example' },
    });
    const page = html(await agent.get(String(saved.headers.location)).expect(200));
    expect(page('h1').text()).toBe('Riksmyndigheten för kulturarvsdata');
    expect(page('[data-testid=flash]').text()).toContain('sparade');
  });

  it('refuses an edit that takes another employer’s organisation number, and changes nothing', async () => {
    await submit(agent, paths.staff.newEmployer, {
      organisationNumber: '202100-5489',
      name: 'Andra verket',
      registryEmail: 'a@example.se',
    });
    const before: unknown = await testApp.db('employers').where({ id: employerId }).first();
    const response = await submit(agent, pathTo(paths.staff.editEmployer, { employerId }), {
      organisationNumber: '202100-5489',
      name: 'Kapning',
      registryEmail: 'x@example.se',
    });
    expect(response.status).toBe(422);
    expect(errorSummary(html(response)).map((entry) => entry.href)).toEqual(['#organisationNumber']);
    expect(html(response)('input[name=name]').val()).toBe('Kapning');
    expect(await testApp.db('employers').where({ id: employerId }).first()).toEqual(before);
  });

  it('edits a code, and refuses to rename it to a code that exists', async () => {
    const north = await code('40102');
    const editPath = pathTo(paths.staff.editCode, { employerId, codeId: north.id });
    const form = html(await agent.get(editPath).expect(200));
    expect(form('input[name=code]').val()).toBe('40102');
    expect(form('input[name=status][value=active]').attr('checked')).toBeDefined();

    const taken = await submit(agent, editPath, { code: '40101', name: 'X', status: 'active', closedOn: '' });
    expect(taken.status).toBe(422);
    expect(errorSummary(html(taken))).toEqual([{ href: '#code', text: 'Arbetsgivarkoden finns redan.' }]);
    expect(await code('40102')).toEqual(north);

    const saved = await submit(agent, editPath, {
      code: '40102',
      name: 'Regionkontor Norr och Mitt',
      status: 'active',
      closedOn: '',
    });
    expect(saved.status).toBe(302);
    expect(await code('40102')).toMatchObject({ name: 'Regionkontor Norr och Mitt', active: true, closed_on: null });
    const [entry] = await audit('employer_code.updated');
    expect(entry).toMatchObject({
      employer_code_id: north.id,
      before: { name: 'Regionkontor Norr' },
      after: { name: 'Regionkontor Norr och Mitt' },
    });
  });

  it('marks an active code inactive with its closed date; the code and its administrators stay', async () => {
    const main = await code('40101');
    const closePath = pathTo(paths.staff.closeCode, { employerId, codeId: main.id });
    const page = html(await agent.get(closePath).expect(200));
    expect(page('h1').text()).toContain('40101');

    const missing = await submit(agent, closePath, { closedOn: '' });
    expect(missing.status).toBe(422);
    expect(errorSummary(html(missing)).map((entry) => entry.href)).toEqual(['#closedOn']);
    const impossible = await submit(agent, closePath, { closedOn: '2025-02-30' });
    expect(impossible.status).toBe(422);
    expect(html(impossible)('input[name=closedOn]').val()).toBe('2025-02-30');
    expect(await code('40101')).toEqual(main);

    const closed = await submit(agent, closePath, { closedOn: '2025-12-31' }, { 'X-Request-Id': 'req-close-40101' });
    expect(closed.status).toBe(302);
    expect(await code('40101')).toMatchObject({ active: false, closed_on: '2025-12-31' });
    const [entry] = await audit('employer_code.closed');
    expect(entry).toMatchObject({
      employer_code_id: main.id,
      request_id: 'req-close-40101',
      before: { active: true, closedOn: null },
      after: { active: false, closedOn: '2025-12-31' },
    });

    const employerPage = html(await agent.get(String(closed.headers.location)).expect(200));
    const row = employerPage('[data-testid=codes] tr[data-code=40101]');
    expect(row.find('[data-testid=code-status]').text()).toBe('Inaktiv');
    expect(row.find('[data-testid=close-code]')).toHaveLength(0);
    expect(employerPage('[data-testid=administrators-40101] [data-testid=administrator]')).toHaveLength(1);

    const again = await submit(agent, closePath, { closedOn: '2026-01-31' });
    expect(again.status).toBe(422);
    expect(errorSummary(html(again))[0]?.text).toBe('Arbetsgivarkoden är redan inaktiv.');
    expect(await code('40101')).toMatchObject({ closed_on: '2025-12-31' });
  });

  it('reopens an inactive code through the code form, which drops the closed date', async () => {
    const closed = await code('40199');
    const editPath = pathTo(paths.staff.editCode, { employerId, codeId: closed.id });
    expect(html(await agent.get(editPath).expect(200))('input[name=closedOn]').val()).toBe('2019-12-31');
    const stillDated = await submit(agent, editPath, {
      code: '40199',
      name: closed.name,
      status: 'active',
      closedOn: '2019-12-31',
    });
    expect(stillDated.status).toBe(422);
    const reopened = await submit(agent, editPath, {
      code: '40199',
      name: closed.name,
      status: 'active',
      closedOn: '',
    });
    expect(reopened.status).toBe(302);
    expect(await code('40199')).toMatchObject({ active: true, closed_on: null });
  });
});
