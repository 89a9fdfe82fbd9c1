import request, { type Agent, type Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { enqueueEmail } from '../../src/mail/outbox';
import { paths, pathTo } from '../../src/paths';
import { ROUTE_ACCESS, type Access } from '../../src/web/access';
import { otherEmployer } from '../administrators/fixtures';
import { buildTestApp } from '../helpers/app';
import { loginWithEid } from '../helpers/eid';
import { listRoutes } from '../helpers/routes';
import { demoIds, PIN, type DemoIds } from '../permissions/helpers';
import { csrfToken } from '../staff/helpers';

/**
 * Every route the app actually has, requested as every kind of person, against what src/web/access.ts declares.
 * A route without a declaration, or a declaration without a route, fails. Ids in the paths are real objects of the
 * demo employer's code 40101 (a user there, an administrator there), so that the administrator of 40102 and the
 * people of another employer are refused by the object checks, not only by the role checks.
 */
const testApp = await buildTestApp();
const { db } = testApp;
await loadDemoData(db);

type Persona =
  | 'anonymous'
  | 'user'
  | 'administratorOfOtherCode'
  | 'administratorOfOtherEmployer'
  | 'ordererOfOtherEmployer'
  | 'delegate'
  | 'staff';

/**
 * What should happen: served (any answer but a refusal: a form with errors is served); sent to log in; refused (403,
 * or 404 for an object outside reach; 400 for a form page without an invitation); 401; staff sent to the back office;
 * for public routes, anything but a server error (a made-up token or message id is a 404).
 */
type Outcome = 'allowed' | 'login' | 'refused' | 'unauthorized' | 'to-back-office' | 'public';

const OBJECT_ROUTE = /:(personId|requestId)/;

/** The expected outcome of a persona on a route, from the declaration alone (and the persona's roles). */
function expected(access: Access, persona: Persona, route: { method: string; path: string }): Outcome {
  if (access === 'anyone') return 'public';
  if (access === 'api-client') return 'unauthorized';
  if (persona === 'anonymous') return 'login';
  const onObjectOfDemoEmployer = OBJECT_ROUTE.test(route.path);
  const ofOtherEmployer = persona === 'administratorOfOtherEmployer' || persona === 'ordererOfOtherEmployer';
  switch (access) {
    case 'logged-in':
      // staff hold no role at an employer: the chooser says so (403, with whom to contact)
      return route.method === 'GET' && route.path === paths.context.choose && persona === 'staff'
        ? 'refused'
        : 'allowed';
    case 'invited':
      return 'refused';
    case 'staff':
      return persona === 'staff' ? 'allowed' : 'refused';
    default:
      break;
  }
  if (persona === 'staff') return 'to-back-office';
  const manages = persona === 'delegate' || persona === 'ordererOfOtherEmployer';
  // the orderer and delegates administer every code of their employer
  const administers = manages || persona === 'administratorOfOtherCode' || persona === 'administratorOfOtherEmployer';
  const fits =
    access === 'employer' ||
    (access === 'employer-history' && administers) ||
    (access === 'manager' && manages) ||
    (access === 'administration' && administers);
  if (!fits) return 'refused';
  // the role fits, at their own employer: an object of the demo employer's 40101 is still not theirs
  if (onObjectOfDemoEmployer && (ofOtherEmployer || persona === 'administratorOfOtherCode')) return 'refused';
  return 'allowed';
}

function outcomeOf(response: Response, want: Outcome): Outcome | `status ${number}` {
  const location = response.headers.location ?? '';
  if (response.status >= 500) return `status ${response.status}`;
  if (want === 'public') return 'public';
  if (response.status === 401) return 'unauthorized';
  if (response.status === 403 || response.status === 404) return 'refused';
  if (response.status === 400 && response.text.includes('data-refusal="noInvitation"')) return 'refused';
  if (response.status === 302 && location.endsWith(paths.login)) return 'login';
  if (response.status === 302 && location.endsWith(paths.staff.root)) return 'to-back-office';
  return 'allowed';
}

let ids: DemoIds;
const agents = new Map<Persona, { agent: Agent; token: string | undefined }>();
let params: Record<string, string>;
let administratorId: string;
let userId: string;
let serviceId: string;

async function loggedIn(pin: string): Promise<{ agent: Agent; token: string }> {
  const agent = request.agent(testApp.app);
  expect((await loginWithEid(agent, pin)).status).toBe(302);
  return { agent, token: await csrfToken(agent, paths.audit.own) };
}

beforeAll(async () => {
  ids = await demoIds(db);
  const other = await otherEmployer(db);
  const [otherAdministrator] = other.administratorIds;
  await db('persons')
    .where({ id: otherAdministrator })
    .update({ given_name: 'Ada', family_name: 'Annan', display_name: 'Ada Annan' });
  const otherAdministratorPin = await db('persons')
    .where({ id: otherAdministrator })
    .first<{ personal_identity_number: string }>('personal_identity_number');
  agents.set('anonymous', { agent: request.agent(testApp.app), token: undefined });
  agents.set('user', await loggedIn(PIN['user-reporting'] ?? ''));
  agents.set('administratorOfOtherCode', await loggedIn(PIN['administrator-north'] ?? ''));
  agents.set('administratorOfOtherEmployer', await loggedIn(otherAdministratorPin.personal_identity_number));
  agents.set('ordererOfOtherEmployer', await loggedIn(other.ordererPin));
  agents.set('delegate', await loggedIn(PIN.delegate ?? ''));
  agents.set('staff', await loggedIn(PIN.staff ?? ''));

  const staffId = ids.person('staff');
  const terms = await db('terms_versions').first<{ id: string }>('id');
  const application = await db('orderer_applications')
    .where({ employer_id: ids.employerId })
    .first<{ id: string }>('id');
  const submissionId = crypto.randomUUID();
  await db('launch_letters').insert({
    submission_id: submissionId,
    employer_id: ids.employerId,
    recipient_email: 'registrator@kulturarvsdata.example',
    audience: 'all',
    resent: false,
    sent_by_person_id: staffId,
    sent_at: new Date(),
  });
  await db.transaction((trx) =>
    enqueueEmail(trx, { to: 'someone@example.org', template: 'user-removed', data: { name: 'X' } }, new Date()),
  );
  const email = await db('outbox').orderBy('id', 'desc').first<{ id: string }>('id');
  // a pending access request by a user on 40101, for the queue's buttons
  const [accessRequest] = await db('access_requests')
    .insert({
      batch_id: crypto.randomUUID(),
      person_id: ids.person('user-finance'),
      employer_id: ids.employerId,
      employer_code_id: ids.code('40101'),
      service_id: ids.service('filoverforing'),
      reason: 'Behöver filöverföring.',
      created_at: new Date(),
      expires_at: new Date(Date.now() + 24 * 60 * 60 * 1000),
    })
    .returning<{ id: string }[]>('id');
  administratorId = ids.person('administrator-all-codes');
  // a user on 40101 and 40199 only: an object the 40102 administrator may not touch
  userId = ids.person('user-finance');
  serviceId = ids.service('rapporter');
  params = {
    employerId: ids.employerId,
    codeId: ids.code('40101'),
    termsId: terms.id,
    applicationId: application.id,
    submissionId,
    emailId: email.id,
    messageId: email.id,
    token: 'not-a-real-token',
    requestId: accessRequest?.id ?? '',
  };
});

const routes = () =>
  listRoutes(testApp.app).map((route) => ({
    method: route.method === '_all' ? 'ALL' : route.method.toUpperCase(),
    path: route.path,
  }));

describe('the access declaration', () => {
  it('declares every route the app has, and nothing it does not have', () => {
    const actual = new Set(routes().map((route) => `${route.method} ${route.path}`));
    expect([...actual].filter((key) => !ROUTE_ACCESS.has(key))).toEqual([]);
    expect([...ROUTE_ACCESS.keys()].filter((key) => !actual.has(key))).toEqual([]);
  });
});

const PERSONAS: Persona[] = [
  'anonymous',
  'user',
  'administratorOfOtherCode',
  'administratorOfOtherEmployer',
  'ordererOfOtherEmployer',
  'delegate',
  'staff',
];

describe('the access matrix', () => {
  it.each(PERSONAS)('gives %s exactly what the declaration says, on every route', async (persona) => {
    const session = agents.get(persona);
    if (!session) throw new Error(`no agent for ${persona}`);
    const mismatches: string[] = [];
    // logging out ends the session the other requests use: it is tested on its own (test/web/session.test.ts)
    const checked = routes().filter(
      (route) => route.method !== 'ALL' && !(route.method === 'POST' && route.path === paths.logout),
    );
    for (const route of checked) {
      const access = ROUTE_ACCESS.get(`${route.method} ${route.path}`);
      if (!access) throw new Error(`undeclared ${route.method} ${route.path}`);
      // the administrators' pages take an administrator of 40101; the users' pages a user there
      const personId = route.path.startsWith(paths.administrators.list) ? administratorId : userId;
      const url = pathTo(route.path, { ...params, personId });
      // a well-formed change (code and service), so that the refusal comes from the access checks, not the form's
      const form = { codeId: ids.code('40101'), serviceId, ...(session.token ? { _csrf: session.token } : {}) };
      const response =
        route.method === 'GET' ? await session.agent.get(url) : await session.agent.post(url).type('form').send(form);
      const want = expected(access, persona, route);
      const got = outcomeOf(response, want);
      // an anonymous post is refused by the CSRF check before anything else: no session, no token
      const anonymousPost = persona === 'anonymous' && route.method === 'POST' && got === 'refused';
      if (got !== want && !(want === 'login' && anonymousPost)) {
        mismatches.push(`${route.method} ${route.path}: expected ${want}, got ${got} (${response.status})`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('refusals are audited', () => {
  it('records who was refused which route, by pattern, without the ids of the request', async () => {
    const session = agents.get('administratorOfOtherCode');
    if (!session) throw new Error('no agent');
    const before = await db('audit_log').max<{ max: number }[]>({ max: 'id' });
    await session.agent.get(pathTo(paths.permissions.user, { personId: ids.person('user-finance') })).expect(403);
    await session.agent.get(paths.staff.root).expect(403);
    const rows = await db('audit_log')
      .where('id', '>', before[0]?.max ?? 0)
      .orderBy('id')
      .select('action', 'actor_person_id', 'actor_role', 'employer_id', 'after');
    expect(rows).toEqual([
      {
        action: 'access.refused',
        actor_person_id: ids.person('administrator-north'),
        actor_role: 'administrator',
        employer_id: null,
        after: {
          request: `GET ${paths.permissions.user}`,
          status: 403,
          employer: 'Myndigheten för kulturarvsdata',
        },
      },
      {
        action: 'access.refused',
        actor_person_id: ids.person('administrator-north'),
        actor_role: 'administrator',
        employer_id: null,
        after: { request: `GET ${paths.staff.root}`, status: 403, employer: 'Myndigheten för kulturarvsdata' },
      },
    ]);
  });
});
