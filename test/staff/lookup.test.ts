import type { Agent } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMPLOYER, DEMO_PERSONS, loadDemoData } from '../../src/demo/seed';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { FULL_PIN, html, loggedIn, STAFF_PIN } from './helpers';

const demo = (key: string) => {
  const person = DEMO_PERSONS.find((candidate) => candidate.key === key);
  if (!person) throw new Error(`no demo person ${key}`);
  return person;
};

describe('staff look an employer up and see who is in charge (guidance)', () => {
  let testApp: TestApp;
  let agent: Agent;
  let employerId: string;

  const names = async (query: string): Promise<string[]> => {
    const $ = html(await agent.get(paths.staff.employers).query({ q: query }).expect(200));
    return $('[data-testid=employers] tbody th')
      .map((_, cell) => $(cell).text().trim())
      .get();
  };

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    // 54 more employers, 'Testverket 01'..'Testverket 54', each with a code, for paging and look-alike names
    const employers = Array.from({ length: 54 }, (_, index) => {
      const base = `55${String(6000000 + index).padStart(7, '0')}`;
      return {
        organisation_number: `${base}${luhnCheckDigit(base)}`,
        name: `Testverket ${String(index + 1).padStart(2, '0')}`,
      };
    });
    const rows = await testApp.db('employers').insert(employers).returning<{ id: string }[]>('id');
    await testApp
      .db('employer_codes')
      .insert(
        rows.map((row, index) => ({ employer_id: row.id, code: `9${String(index).padStart(4, '0')}`, name: 'Kod' })),
      );
    employerId = (
      await testApp
        .db('employers')
        .where({ organisation_number: DEMO_EMPLOYER.organisationNumber })
        .first<{ id: string }>('id')
    ).id;
    agent = await loggedIn(testApp, STAFF_PIN);
  });

  it('finds the employer by organisation number, with or without the hyphen', async () => {
    expect(await names('202199-0011')).toEqual([DEMO_EMPLOYER.name]);
    expect(await names('2021990011')).toEqual([DEMO_EMPLOYER.name]);
    expect(await names('202199')).toEqual([DEMO_EMPLOYER.name]);
  });

  it('finds the employer by a part of its name, in any case', async () => {
    expect(await names('kulturarv')).toEqual([DEMO_EMPLOYER.name]);
    expect(await names('MYNDIGHETEN FÖR')).toEqual([DEMO_EMPLOYER.name]);
  });

  it('finds the employer by any of its codes, the closed one too', async () => {
    expect(await names('40102')).toEqual([DEMO_EMPLOYER.name]);
    expect(await names('40199')).toEqual([DEMO_EMPLOYER.name]);
  });

  it('finds nothing for a search that matches nothing, and treats % and _ as text', async () => {
    const $ = html(await agent.get(paths.staff.employers).query({ q: 'Finns inte' }).expect(200));
    expect($('[data-testid=no-employers]')).toHaveLength(1);
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
  });

  it('lists 50 employers a page, by name, with links between the pages', async () => {
    const first = html(await agent.get(paths.staff.employers).expect(200));
    expect(first('[data-testid=employers] tbody tr')).toHaveLength(50);
    expect(first('[data-testid=result-count]').text()).toContain('55');
    expect(first('[data-testid=pagination] a[aria-current=true]').text()).toBe('1');
    const next = first('[data-testid=pagination] a[rel=next]').attr('href');
    expect(next).toBe(`${paths.staff.employers}?sida=2`);

    const second = html(await agent.get(String(next)).expect(200));
    const rows = second('[data-testid=employers] tbody th')
      .map((_, cell) => second(cell).text().trim())
      .get();
    expect(rows).toEqual(['Testverket 50', 'Testverket 51', 'Testverket 52', 'Testverket 53', 'Testverket 54']);
    expect(second('[data-testid=pagination] a[rel=prev]').attr('href')).toBe(paths.staff.employers);

    const searched = html(await agent.get(paths.staff.employers).query({ q: 'testverket', sida: '2' }).expect(200));
    expect(searched('[data-testid=employers] tbody tr')).toHaveLength(4);
    expect(searched('[data-testid=pagination] a[rel=prev]').attr('href')).toBe(`${paths.staff.employers}?q=testverket`);
    // a page past the end, or nonsense, is still a page
    expect((await agent.get(paths.staff.employers).query({ sida: '99' })).status).toBe(200);
    expect((await agent.get(paths.staff.employers).query({ sida: 'x' })).status).toBe(200);
  });

  it('shows the orderer, the delegate and each code’s administrators with contact details, never a full number', async () => {
    const response = await agent.get(pathTo(paths.staff.employer, { employerId })).expect(200);
    const $ = html(response);
    const orderer = demo('orderer');
    const ordererRow = $('[data-testid=orderers] [data-testid=orderer]');
    expect(ordererRow).toHaveLength(1);
    expect(ordererRow.find('th').text()).toBe('Anna Bergström');
    expect(ordererRow.text()).toContain(orderer.email);
    expect(ordererRow.text()).toContain(orderer.phone);
    expect(ordererRow.text()).toContain('Personalchef');
    expect(ordererRow.text()).toContain('Aktiv');
    expect(ordererRow.find('[data-testid=masked-pin]').text()).toBe('19121210-****');

    const delegate = $('[data-testid=delegates] [data-testid=delegate]');
    expect(delegate.find('th').text()).toBe('Erik Johansson');
    expect(delegate.text()).toContain(demo('delegate').email);

    const administrators = (code: string) =>
      $(`[data-testid=administrators-${code}] [data-testid=administrator] th`)
        .map((_, cell) => $(cell).text())
        .get();
    expect(administrators('40101')).toEqual(['Maria Nilsson']);
    expect(administrators('40102')).toEqual(['Johan Andersson', 'Maria Nilsson']);
    expect(administrators('40199')).toEqual(['Maria Nilsson']);
    expect($('[data-testid=administrators-40102]').text()).toContain(demo('administrator-north').phone);

    // users are not shown, and no personal identity number appears in full anywhere on the page
    expect(response.text).not.toContain('Sara Karlsson');
    expect(response.text).not.toMatch(FULL_PIN);
    for (const { personalIdentityNumber: pin } of DEMO_PERSONS) {
      for (const form of [
        pin,
        `${pin.slice(0, 8)}-${pin.slice(8)}`,
        `${pin.slice(2, 8)}-${pin.slice(8)}`,
        pin.slice(2),
      ]) {
        expect(response.text).not.toContain(form);
      }
    }
  });

  it('keeps a replaced orderer in the history with the dates, and warns about a code without administrators', async () => {
    const [replaced] = await testApp
      .db('role_assignments')
      .where({ employer_id: employerId, role: 'orderer' })
      .update({ revoked_at: new Date('2024-05-31T10:00:00Z') })
      .returning<{ id: string }[]>('id');
    expect(replaced).toBeDefined();
    await testApp.db('employer_codes').insert({ employer_id: employerId, code: '40150', name: 'Ny enhet' });
    const $ = html(await agent.get(pathTo(paths.staff.employer, { employerId })).expect(200));
    const row = $('[data-testid=orderer]');
    expect(row.text()).toContain('Ersatt');
    expect(row.text()).toContain('2020-01-22');
    expect(row.text()).toContain('2024-05-31');
    expect($('[data-testid=no-administrator-40150]')).toHaveLength(1);
  });
});
