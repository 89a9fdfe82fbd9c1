import * as cheerio from 'cheerio';
import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp, type TestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { bearer, evaluation, newClientToken } from '../api/helpers';
import { demoIds, PIN } from '../permissions/helpers';
import { insertEmployer, invitationPath, orgNumber, pnr, registerApplication } from '../onboarding/helpers';
import { withWrongCheckDigit } from '../db/fixtures';

/**
 * Representative journeys through the real app, then a look at everything it logged and every address it sent a
 * browser to or linked to: no personal identity number of anyone involved, in any written form.
 */

/** The ways a 12-digit number can be written: 12 and 10 digits, with and without the separator. */
function writtenForms(twelve: string): string[] {
  const ten = twelve.slice(2);
  return [twelve, `${twelve.slice(0, 8)}-${twelve.slice(8)}`, ten, `${ten.slice(0, 6)}-${ten.slice(6)}`];
}

/** Percent-escapes decoded one by one (a malformed one is left as it is). */
const decodedAll = (text: string): string =>
  text.replace(/%[0-9a-f]{2}/gi, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));

/** The numbers the journeys use, filled in as they go. */
const numbers = new Set<string>(Object.values(PIN));
let testApp: TestApp;
const responses: { what: string; response: Response }[] = [];

/** Keeps a response for the URL checks at the end. */
function seen(what: string, response: Response): Response {
  responses.push({ what, response });
  return response;
}

/** An agent that keeps every response it gets. */
function tracked(agent: Agent, who: string) {
  const keep =
    (method: 'get' | 'post') =>
    async (path: string, form?: Record<string, string>): Promise<Response> => {
      const call =
        method === 'get'
          ? agent.get(path)
          : agent
              .post(path)
              .type('form')
              .send(form ?? {});
      return seen(`${who} ${method.toUpperCase()} ${path}`, await call);
    };
  return { get: keep('get'), post: keep('post') };
}

async function loggedIn(who: string, number: string): Promise<Agent> {
  const agent = request.agent(testApp.app);
  seen(`${who} login`, await loginWithEid(agent, number));
  return agent;
}

async function tokenOf(agent: Agent, path: string): Promise<string> {
  const value = cheerio
    .load((await agent.get(path).expect(200)).text)('input[name=_csrf]')
    .first()
    .val();
  if (typeof value !== 'string') throw new Error(`no CSRF token on ${path}`);
  return value;
}

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  const ids = await demoIds(testApp.db);

  // login, and the agency's staff registering an orderer application with the orderer's number
  const staff = await loggedIn('staff', PIN.staff ?? '');
  const employerId = await insertEmployer(testApp.db, {
    organisationNumber: orgNumber('556600112'),
    name: 'Loggfria myndigheten',
    codes: [{ code: '60101', name: 'Kansliet' }],
  });
  const ordererNumber = pnr('19700101234');
  const delegateNumber = pnr('19710202345');
  numbers.add(ordererNumber).add(delegateNumber);
  await registerApplication(staff, {
    employerId,
    name: 'Olga Ordnare',
    title: 'HR-direktör',
    personalIdentityNumber: `${ordererNumber.slice(0, 8)}-${ordererNumber.slice(8)}`,
    email: 'olga@loggfria.example',
  });

  // onboarding: the invited orderer logs in, opens the link, names a delegate by number
  const invitedAgent = await loggedIn('invited orderer', ordererNumber);
  const invited = tracked(invitedAgent, 'invited orderer');
  await invited.get(await invitationPath(testApp.db, 'olga@loggfria.example'));
  await invited.post(paths.onboarding.details, {
    _csrf: await tokenOf(invitedAgent, paths.onboarding.details),
    handledByOrderer: 'no',
    delegateName: 'Dag Delegat',
    delegatePersonalIdentityNumber: delegateNumber,
    delegateEmail: 'dag@loggfria.example',
  });

  // the demo employer's orderer appoints an administrator and adds a user, each by number
  const demoOrderer = await loggedIn('orderer', PIN.orderer ?? '');
  const asOrderer = tracked(demoOrderer, 'orderer');
  const token = await tokenOf(demoOrderer, paths.administrators.appoint);
  const administratorNumber = pnr('19800303456');
  const userNumber = pnr('19810404567');
  numbers.add(administratorNumber).add(userNumber);
  await asOrderer.post(paths.administrators.appoint, {
    _csrf: token,
    personalIdentityNumber: `${administratorNumber.slice(0, 8)}-${administratorNumber.slice(8)}`,
    name: 'Adam Admin',
    email: 'adam@kulturarvsdata.example',
    codes: ids.code('40101'),
  });
  await asOrderer.post(paths.permissions.newUser, {
    _csrf: token,
    personalIdentityNumber: userNumber.slice(2),
    name: 'Ulla Användare',
    email: 'ulla@kulturarvsdata.example',
    grants: `${ids.code('40101')}:${ids.service('rapporter')}`,
  });
  // a validation error with a number in the form (a good number, a bad address; and a wrong check digit)
  const refusedNumber = pnr('19820505678');
  numbers.add(refusedNumber).add(withWrongCheckDigit(pnr('19830606789')));
  await asOrderer.post(paths.administrators.appoint, {
    _csrf: token,
    personalIdentityNumber: refusedNumber,
    name: 'Vera Valid',
    email: 'inte en adress',
    codes: ids.code('40101'),
  });
  await asOrderer.post(paths.permissions.newUser, {
    _csrf: token,
    personalIdentityNumber: withWrongCheckDigit(pnr('19830606789')),
    name: 'Fel Siffra',
    email: 'fel@kulturarvsdata.example',
  });
  // the search is posted, so that the number never gets into the overview's URL
  await asOrderer.post(paths.permissions.search, { _csrf: token, q: PIN['user-reporting'] ?? '' });
  await asOrderer.get(paths.permissions.users);

  // a 403 (a user on the administrators' page) and 404s (an unknown person; numbers typed into an address)
  const user = tracked(await loggedIn('user', PIN['user-reporting'] ?? ''), 'user');
  await user.get(paths.administrators.list);
  await asOrderer.get(pathTo(paths.permissions.user, { personId: crypto.randomUUID() }));
  await asOrderer.get(`/anvandare/${PIN['user-payroll'] ?? ''}`);
  await asOrderer.get(`${paths.overview}?q=${encodeURIComponent(PIN['user-finance'] ?? '')}`);
  const spaced = PIN['user-inactive'] ?? '';
  await asOrderer.get(`${paths.overview}?q=${spaced.slice(0, 8)}%20${spaced.slice(8)}`);
  await asOrderer.get(`${paths.overview}?q=${spaced.slice(0, 8)}%2D${spaced.slice(8)}`);

  // API decisions by number: one answered, one refused as malformed
  const api = await newClientToken(testApp, 'Rapport direkt');
  seen(
    'API decision',
    await request(testApp.app)
      .post(paths.api.evaluation)
      .set(bearer(api))
      .send(evaluation(PIN['user-reporting'] ?? '', 'rapport-direkt', '40101')),
  );
  seen(
    'API decision on a wrong number',
    await request(testApp.app)
      .post(paths.api.evaluation)
      .set(bearer(api))
      .send(evaluation(withWrongCheckDigit(PIN['user-payroll'] ?? ''), 'rapport-direkt', '40101')),
  );
});

describe('no personal identity number in logs or URLs', () => {
  it('ran the journeys (each step got the answer it should)', () => {
    const byWhat = (what: string) => responses.filter((entry) => entry.what === what).map((entry) => entry.response);
    expect(byWhat('orderer POST /administratorer/ny').map((response) => response.status)).toEqual([302, 422]);
    expect(byWhat('orderer POST /anvandare/ny').map((response) => response.status)).toEqual([302, 422]);
    expect(byWhat(`invited orderer POST ${paths.onboarding.details}`).map((response) => response.status)).toEqual([
      303,
    ]);
    expect(byWhat('user GET /administratorer').map((response) => response.status)).toEqual([403]);
    expect(responses.filter((entry) => entry.response.status === 404).length).toBeGreaterThanOrEqual(2);
    expect(byWhat('API decision')[0]?.status).toBe(200);
    expect(byWhat('API decision on a wrong number')[0]?.status).toBeLessThan(500);
    expect(testApp.logs.length).toBeGreaterThan(20);
  });

  it('writes none of the numbers to any log line, in any written form', () => {
    const all = testApp.logs.join('');
    for (const number of numbers) {
      for (const form of writtenForms(number)) expect(all, `the log holds ${form}`).not.toContain(form);
    }
    // nor written with another separator, or percent-encoded in an address
    const flattened = decodedAll(all).replace(/([0-9])[\s+-]([0-9])/g, '$1$2');
    for (const number of numbers) expect(flattened, `the log holds ${number}`).not.toContain(number.slice(2));
  });

  it('redirects to and links to no address with a number in it', () => {
    for (const { what, response } of responses) {
      const addresses: string[] = [response.headers.location ?? ''];
      if (String(response.headers['content-type']).startsWith('text/html')) {
        const $ = cheerio.load(response.text);
        $('[href], [action], [src]').each((_, element) => {
          for (const name of ['href', 'action', 'src']) addresses.push($(element).attr(name) ?? '');
        });
      }
      const text = decodedAll(addresses.join(' ')).replace(/[\s+-]/g, '');
      for (const number of numbers) {
        expect(text, `${what} sends to or links to ${number}`).not.toContain(number.slice(2));
      }
    }
  });
});
