import type { Agent } from 'supertest';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { administratorsPaths } from '../../src/administrators/paths';
import { loadDemoData } from '../../src/demo/seed';
import { pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { insertCode } from '../db/fixtures';
import {
  administratorCount,
  administeredCodes,
  auditRows,
  codeId,
  demoEmployerId,
  otherEmployer,
  personId,
  PIN,
} from './fixtures';
import { html, loggedIn, post } from './helpers';

describe('the administrators page', () => {
  let testApp: TestApp;
  let orderer: Agent;

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
    await loadDemoData(testApp.db);
    orderer = await loggedIn(testApp, PIN.orderer);
  });

  it('lists every code with its administrators for the orderer, and warns where a code has none', async () => {
    await insertCode(testApp.db, await demoEmployerId(testApp.db), { code: '40150', name: 'Nya enheten' });
    const $ = html(await orderer.get(administratorsPaths.list).expect(200));
    expect($('h1')).toHaveLength(1);
    expect($('h1').text()).toBe('Ansvariga administratörer');
    const codes = $('[data-testid=code]')
      .map((_, section) => ({
        code: $(section).attr('data-code'),
        administrators: $(section)
          .find('[data-testid=administrator]')
          .map((_i, row) =>
            $(row)
              .find('th, td')
              .slice(0, 3)
              .map((_j, cell) => $(cell).text().trim())
              .get()
              .join(' | '),
          )
          .get(),
        warning: $(section).find('.ds-alert[data-color=warning]').text().trim(),
      }))
      .get();
    expect(codes).toEqual([
      {
        code: '40101',
        administrators: ['Maria Nilsson | maria.nilsson@kulturarvsdata.example | 070-174 06 20'],
        warning: '',
      },
      {
        code: '40102',
        administrators: [
          'Johan Andersson | johan.andersson@kulturarvsdata.example | 070-174 06 25',
          'Maria Nilsson | maria.nilsson@kulturarvsdata.example | 070-174 06 20',
        ],
        warning: '',
      },
      { code: '40150', administrators: [], warning: expect.stringContaining('40150 saknar administratör') as string },
      {
        code: '40199',
        administrators: ['Maria Nilsson | maria.nilsson@kulturarvsdata.example | 070-174 06 20'],
        warning: '',
      },
    ]);
    expect($('[data-code=40199] h2').text()).toContain('inaktiv');
  });

  it('is in English too', async () => {
    const $ = html(await orderer.get(`${administratorsPaths.list}?lang=en`).expect(200));
    expect($('h1').text()).toBe('Administrators');
    expect($('[data-code=40150] .ds-alert').text()).toContain('40150 has no administrator');
    await orderer.get(`${administratorsPaths.list}?lang=sv`).expect(200);
  });

  it('is there for the delegate', async () => {
    const delegate = await loggedIn(testApp, PIN.delegate);
    const $ = html(await delegate.get(administratorsPaths.list).expect(200));
    expect($('[data-testid=code]')).toHaveLength(4);
  });

  it('sends the anonymous to the login', async () => {
    const response = await request(testApp.app).get(administratorsPaths.list).expect(302);
    expect(response.headers.location).toBe('/logga-in');
  });

  it.each([
    ['an administrator', PIN.administratorAll],
    ['a user', PIN.user],
  ])('is forbidden to %s, every page and form of it', async (_who, pin) => {
    const agent = await loggedIn(testApp, pin);
    const maria = await personId(testApp.db, PIN.administratorAll);
    await agent.get(administratorsPaths.list).expect(403);
    await agent.get(administratorsPaths.appoint).expect(403);
    await agent.get(pathTo(administratorsPaths.change, { personId: maria })).expect(403);
    await agent.get(pathTo(administratorsPaths.remove, { personId: maria })).expect(403);
  });

  describe("another employer's orderer", () => {
    let other: Awaited<ReturnType<typeof otherEmployer>>;
    let agent: Agent;

    beforeAll(async () => {
      other = await otherEmployer(testApp.db);
      agent = await loggedIn(testApp, other.ordererPin);
    });

    it('sees only their own employer', async () => {
      const $ = html(await agent.get(administratorsPaths.list).expect(200));
      expect($('[data-testid=code]')).toHaveLength(1);
      expect($('main').text()).not.toContain('Maria Nilsson');
    });

    it("cannot reach this employer's administrators or codes by crafted requests, and nothing is audited", async () => {
      const maria = await personId(testApp.db, PIN.administratorAll);
      const johan = await personId(testApp.db, PIN.administratorNorth);
      const auditBefore = (await auditRows(testApp.db)).length;
      await agent.get(pathTo(administratorsPaths.change, { personId: maria })).expect(404);
      await agent.get(pathTo(administratorsPaths.remove, { personId: maria })).expect(404);
      expect((await post(agent, pathTo(administratorsPaths.remove, { personId: johan }))).status).toBe(404);
      const changed = await post(agent, pathTo(administratorsPaths.change, { personId: maria }), {
        codes: other.codeId,
      });
      expect(changed.status).toBe(404);
      const appointed = await post(agent, administratorsPaths.appoint, {
        personalIdentityNumber: '191212072423',
        name: 'Sara Karlsson',
        email: 'sara@example.org',
        codes: [other.codeId, await codeId(testApp.db, '40101')],
      });
      expect(appointed.status).toBe(404);
      // and their own administrator cannot be given a code of the demo employer
      const crafted = await post(agent, pathTo(administratorsPaths.change, { personId: other.administratorIds[0] }), {
        codes: [other.codeId, await codeId(testApp.db, '40102')],
      });
      expect(crafted.status).toBe(404);
      expect(await administeredCodes(testApp.db, johan)).toEqual(['40102']);
      expect(await administeredCodes(testApp.db, maria)).toEqual(['40101', '40102', '40199']);
      expect(await administeredCodes(testApp.db, await personId(testApp.db, PIN.user))).toEqual([]);
      expect(await administratorCount(testApp.db, other.codeId)).toBe(2);
      expect((await auditRows(testApp.db)).length).toBe(auditBefore);
    });

    it('gets 404 for an id that is not a uuid', async () => {
      await agent.get(pathTo(administratorsPaths.change, { personId: 'maria' })).expect(404);
      const appointed = await post(agent, administratorsPaths.appoint, {
        personalIdentityNumber: '191212072423',
        name: 'Sara Karlsson',
        email: 'sara@example.org',
        codes: [other.codeId, 'not-a-uuid'],
      });
      expect(appointed.status).toBe(404);
    });
  });
});
