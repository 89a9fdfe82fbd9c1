import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMPLOYER, loadDemoData } from '../../src/demo/seed';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { html, loggedIn, ORDERER_PIN, STAFF_PIN, submit } from './helpers';

describe('who reaches the back office', () => {
  let testApp: TestApp;
  let pages: string[];
  let forms: { path: string; fields: Record<string, string> }[];

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    const employer = await testApp
      .db('employers')
      .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
      .first<{ id: string }>('id');
    const code = await testApp.db('employer_codes').where({ code: '40101' }).first<{ id: string }>('id');
    const ids = { employerId: employer.id, codeId: code.id };
    pages = [
      paths.staff.root,
      paths.staff.employers,
      `${paths.staff.employers}?q=40101`,
      paths.staff.newEmployer,
      pathTo(paths.staff.employer, ids),
      pathTo(paths.staff.editEmployer, ids),
      pathTo(paths.staff.newCode, ids),
      pathTo(paths.staff.editCode, ids),
      pathTo(paths.staff.closeCode, ids),
    ];
    forms = [
      {
        path: paths.staff.newEmployer,
        fields: { organisationNumber: '202100-5489', name: 'Intrång AB', registryEmail: 'a@example.se' },
      },
      {
        path: pathTo(paths.staff.editEmployer, ids),
        fields: { organisationNumber: '202199-0011', name: 'Intrång AB', registryEmail: 'a@example.se' },
      },
      { path: pathTo(paths.staff.newCode, ids), fields: { code: '66666', name: 'Intrång', status: 'active' } },
      { path: pathTo(paths.staff.editCode, ids), fields: { code: '40101', name: 'Intrång', status: 'active' } },
      { path: pathTo(paths.staff.closeCode, ids), fields: { closedOn: '2025-01-01' } },
    ];
  });

  it('sends an anonymous visitor of every back-office page to the e-ID login', async () => {
    for (const path of pages) {
      const response = await request(testApp.app).get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.location, path).toBe(paths.login);
    }
  });

  it('refuses every back-office page to a logged-in person who is not staff (403 page)', async () => {
    const agent = await loggedIn(testApp, ORDERER_PIN);
    for (const path of pages) {
      const response = await agent.get(path);
      expect(response.status, path).toBe(403);
      expect(html(response)('h1').text(), path).toBe('Du har inte behörighet till sidan');
    }
  });

  it('refuses every back-office form to a person who is not staff, and stores nothing', async () => {
    const agent = await loggedIn(testApp, ORDERER_PIN);
    const before = await snapshot(testApp);
    for (const form of forms) {
      const response = await submit(agent, form.path, form.fields);
      expect(response.status, form.path).toBe(403);
    }
    expect(await snapshot(testApp)).toEqual(before);
  });

  it('shows every back-office page to staff, with one h1', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    for (const path of pages) {
      const response = await agent.get(path);
      expect(response.status, path).toBe(200);
      expect(html(response)('h1'), path).toHaveLength(1);
    }
  });

  it('answers 404 for an id that is malformed or names nothing', async () => {
    const agent = await loggedIn(testApp, STAFF_PIN);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const code = await testApp.db('employer_codes').where({ code: '40101' }).first<{ id: string }>('id');
    for (const path of [
      pathTo(paths.staff.employer, { employerId: 'not-a-uuid' }),
      pathTo(paths.staff.employer, { employerId: unknown }),
      pathTo(paths.staff.editEmployer, { employerId: unknown }),
      pathTo(paths.staff.newCode, { employerId: "1' or '1'='1" }),
      // a real code under an employer it does not belong to
      pathTo(paths.staff.editCode, { employerId: unknown, codeId: code.id }),
      pathTo(paths.staff.closeCode, { employerId: unknown, codeId: 'x' }),
    ]) {
      expect((await agent.get(path)).status, path).toBe(404);
    }
    const post = await submit(agent, pathTo(paths.staff.editEmployer, { employerId: unknown }), {
      organisationNumber: '202100-5489',
      name: 'Ingen',
      registryEmail: 'a@example.se',
    });
    expect(post.status).toBe(404);
  });

  it('links the back office from the header for staff only', async () => {
    const staff = html(await (await loggedIn(testApp, STAFF_PIN)).get('/').expect(200));
    expect(staff('header [data-testid=back-office-link]').attr('href')).toBe(paths.staff.root);
    const orderer = html(await (await loggedIn(testApp, ORDERER_PIN)).get('/').expect(200));
    expect(orderer('[data-testid=back-office-link]')).toHaveLength(0);
    const anonymous = html(await request(testApp.app).get('/').expect(200));
    expect(anonymous('[data-testid=back-office-link]')).toHaveLength(0);
  });
});

async function snapshot(testApp: TestApp) {
  const [employers, codes, audit] = await Promise.all([
    testApp.db('employers').orderBy('id').select('*'),
    testApp.db('employer_codes').orderBy('id').select('*'),
    // changes only: a refusal is audited too (access.refused), but it stores nothing
    testApp.db('audit_log').whereNot('action', 'like', 'access.%').count<{ count: number }[]>({ count: '*' }),
  ]);
  return { employers, codes, audit };
}
