import * as cheerio from 'cheerio';
import fc from 'fast-check';
import type { Agent, Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { normalisePersonalIdentityNumber } from '../../src/domain/identity-numbers';
import { paths, pathTo } from '../../src/paths';
import { buildTestApp } from '../helpers/app';
import { listRoutes } from '../helpers/routes';
import {
  invitationPath,
  openInvitation,
  orgNumber,
  personAgent,
  pnr,
  registerApplication,
  insertEmployer,
} from '../onboarding/helpers';
import { demoIds, PIN, type DemoIds } from '../permissions/helpers';
import { csrfToken, loggedIn } from '../staff/helpers';
import {
  FORBIDDEN_CHARACTERS,
  hostileForm,
  validOrganisationNumber,
  validPersonalIdentityNumber,
  type FieldValue,
} from './arbitraries';

/**
 * Every form of the app (every POST route the router actually has), posted by a logged-in person who may use it,
 * with a valid CSRF token, with hostile values in every field: never a server error, never anything invalid stored,
 * and whatever the page shows back is escaped. A new POST route fails the first test until it is listed below.
 */
const testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
const { db } = testApp;
await loadDemoData(db);

/** Runs per form: each is a real request, so fewer than the pure properties. */
const WEB_RUNS = { numRuns: 30 } as const;
const TODAY = new Date(testApp.clock.now);

type Persona = 'orderer' | 'staff' | 'invited';

interface FormCase {
  persona: Persona;
  fields: string[];
  plausible?: Record<string, fc.Arbitrary<FieldValue>>;
  params?: Record<string, string>;
}

/** POST routes that are not forms a person fills in, and where they are tested instead. */
const NOT_COVERED: Record<string, string> = {
  [`POST ${paths.saml.acs}`]: 'a signed SAML response, not a form: test/auth/hostile-responses.test.ts',
  [`POST ${paths.devEid.sso}`]: "the development e-ID's SAML endpoint (never in production): test/auth/dev-idp.test.ts",
  [`POST ${paths.devEid.authenticate}`]: 'the development e-ID (never in production): test/auth/dev-idp.test.ts',
  [`POST ${paths.logout}`]: 'no fields: test/web/session.test.ts',
  [`POST ${paths.api.evaluation}`]: 'the JSON decision API (a bearer token, no form): test/properties/api.test.ts',
  [`POST ${paths.api.evaluations}`]: 'the JSON decision API (a bearer token, no form): test/properties/api.test.ts',
  [`POST ${paths.api.searchResource}`]: 'the JSON decision API (a bearer token, no form): test/properties/api.test.ts',
};

const agents = new Map<Persona, Agent>();
const forms = new Map<string, FormCase>();

/** Logs in the personas, makes the objects the forms act on, and lists each form with its fields. */
async function setUp(): Promise<void> {
  const ids: DemoIds = await demoIds(db);
  const serviceIds = (await db('services').select<{ id: string }[]>('id')).map((row) => row.id);
  const codes = ['40101', '40102', '40199'].map((code) => ids.code(code));
  const staff = await loggedIn(testApp, PIN.staff ?? '');
  const orderer = await loggedIn(testApp, PIN.orderer ?? '');

  // an employer whose orderer has an invitation, and another application for the staff's buttons
  const invitedEmployerId = await insertEmployer(db, {
    organisationNumber: orgNumber('556677889'),
    name: 'Inbjudna myndigheten',
    codes: [{ code: '70101', name: 'Kansliet' }],
  });
  const invitedPin = pnr('19800101123');
  await registerApplication(staff, {
    employerId: invitedEmployerId,
    name: 'Ola Inbjuden',
    title: 'HR-chef',
    personalIdentityNumber: invitedPin,
    email: 'ola@inbjudna.example',
  });
  const invited = await personAgent(testApp, invitedPin);
  await openInvitation(invited, await invitationPath(db, 'ola@inbjudna.example'));
  const secondEmployerId = await insertEmployer(db, {
    organisationNumber: orgNumber('556677890'),
    name: 'Andra myndigheten',
    codes: [{ code: '80101', name: 'Kansliet' }],
  });
  const otherApplicationId = await registerApplication(staff, {
    employerId: secondEmployerId,
    name: 'Pia Pappersson',
    title: 'Personalchef',
    personalIdentityNumber: pnr('19750505234'),
    email: 'pia@andra.example',
  });
  // an employer without an application, so that a plausible application can be registered
  const freeEmployerId = await insertEmployer(db, {
    organisationNumber: orgNumber('556677891'),
    name: 'Tredje myndigheten',
    codes: [{ code: '90101', name: 'Kansliet' }],
  });
  const termsVersions = (await db('terms_versions').select<{ version: string }[]>('version')).map((row) => row.version);
  const emailId = (await db('outbox').orderBy('id').first<{ id: string }>('id')).id;
  // a pending access request by a user, for the queue's approve and reject buttons
  const [accessRequest] = await db('access_requests')
    .insert({
      batch_id: crypto.randomUUID(),
      person_id: ids.person('user-reporting'),
      employer_id: ids.employerId,
      employer_code_id: ids.code('40101'),
      service_id: ids.service('rapporter'),
      reason: 'Behöver rapporterna.',
      created_at: new Date(testApp.clock.now),
      expires_at: new Date(testApp.clock.now + 30 * 24 * 60 * 60 * 1000),
    })
    .returning<{ id: string }[]>('id');
  const requestParams = { requestId: accessRequest?.id ?? '' };

  agents.set('staff', staff);
  agents.set('orderer', orderer);
  agents.set('invited', invited);

  const someCodes = fc.subarray(codes, { minLength: 1 });
  const someGrants = fc.subarray(
    codes.flatMap((code) => serviceIds.map((service) => `${code}:${service}`)),
    { minLength: 1, maxLength: 4 },
  );
  const anyCode = fc.constantFrom(...codes);
  const anyService = fc.constantFrom(...serviceIds);
  const person = fc.constantFrom(...Object.keys(PIN).map((key) => ids.person(key)));
  const email = fc.stringMatching(/^[a-z]{1,12}(\.[a-z]{1,12})?@[a-z]{2,12}\.(se|org|example)$/);
  const name = fc.constantFrom('Eva Ek', 'Åsa Öberg-Ångström', 'Łukasz Żółć');
  const number = validPersonalIdentityNumber;
  /** An end date ("giltig till och med"): a day from yesterday to eleven years ahead, or empty. */
  const day = fc
    .integer({ min: -1, max: 11 * 366 })
    .map((days) => new Date(testApp.clock.now + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10));
  const validUntil = fc.oneof(day, fc.constant(''));
  const { administrators, permissions, staff: staffPaths, onboarding, launch, mail } = paths;
  const demoEmployer = { employerId: ids.employerId };

  const cases: [string, FormCase][] = [
    [
      paths.context.choose,
      { persona: 'orderer', fields: ['employerId'], plausible: { employerId: fc.constant(ids.employerId) } },
    ],
    [
      administrators.appoint,
      {
        persona: 'orderer',
        fields: ['personalIdentityNumber', 'name', 'email', 'phone', 'codes', 'validUntil'],
        plausible: { personalIdentityNumber: number, name, email, codes: someCodes, validUntil },
      },
    ],
    [
      administrators.change,
      {
        persona: 'orderer',
        fields: ['codes', 'validUntil'],
        plausible: { codes: someCodes, validUntil },
        params: { personId: ids.person('administrator-all-codes') },
      },
    ],
    [
      administrators.remove,
      { persona: 'orderer', fields: ['confirm'], params: { personId: ids.person('administrator-north') } },
    ],
    [
      permissions.search,
      {
        persona: 'orderer',
        fields: ['q', 'kod', 'tjanst', 'visa', 'clear'],
        plausible: { q: number, kod: anyCode, visa: fc.constant('inaktiva') },
      },
    ],
    [permissions.removeInactive, { persona: 'orderer', fields: ['personIds'], plausible: { personIds: person } }],
    [
      permissions.newUser,
      {
        persona: 'orderer',
        fields: ['personalIdentityNumber', 'name', 'email', 'grants', 'validUntil'],
        plausible: { personalIdentityNumber: number, name, email, grants: someGrants, validUntil },
      },
    ],
    ...[permissions.grant, permissions.endDate].map((path): [string, FormCase] => [
      path,
      {
        persona: 'orderer',
        fields: ['codeId', 'serviceId', 'validUntil'],
        plausible: { codeId: anyCode, serviceId: anyService, validUntil },
        params: { personId: ids.person('user-reporting') },
      },
    ]),
    [
      permissions.revoke,
      {
        persona: 'orderer',
        fields: ['codeId', 'serviceId'],
        plausible: { codeId: anyCode, serviceId: anyService },
        params: { personId: ids.person('user-reporting') },
      },
    ],
    [
      permissions.removeFromCode,
      {
        persona: 'orderer',
        fields: ['codeId'],
        plausible: { codeId: anyCode },
        params: { personId: ids.person('user-payroll') },
      },
    ],
    [
      permissions.removeFromEmployer,
      { persona: 'orderer', fields: ['confirm'], params: { personId: ids.person('user-inactive') } },
    ],
    [
      onboarding.details,
      {
        persona: 'invited',
        fields: ['handledByOrderer', 'delegateName', 'delegatePersonalIdentityNumber', 'delegateEmail'],
        plausible: {
          handledByOrderer: fc.constantFrom('yes', 'no'),
          delegateName: name,
          delegatePersonalIdentityNumber: number,
          delegateEmail: email,
        },
      },
    ],
    [
      onboarding.terms,
      {
        persona: 'invited',
        fields: ['accept', 'termsVersion'],
        plausible: { accept: fc.constant('yes'), termsVersion: fc.constantFrom(...termsVersions) },
      },
    ],
    [onboarding.sign, { persona: 'invited', fields: ['confirm'] }],
    [onboarding.paper, { persona: 'invited', fields: ['confirm'] }],
    ...[staffPaths.newEmployer, staffPaths.editEmployer].map((path): [string, FormCase] => [
      path,
      {
        persona: 'staff',
        fields: ['organisationNumber', 'name', 'registryEmail'],
        plausible: { organisationNumber: validOrganisationNumber, name, registryEmail: email },
        params: demoEmployer,
      },
    ]),
    ...[staffPaths.newCode, staffPaths.editCode].map((path): [string, FormCase] => [
      path,
      {
        persona: 'staff',
        fields: ['code', 'name', 'status', 'closedOn'],
        plausible: {
          code: fc.stringMatching(/^[0-9]{5}$/),
          name,
          status: fc.constantFrom('active', 'inactive'),
          closedOn: fc.constantFrom('', '2020-12-31'),
        },
        params: { ...demoEmployer, codeId: ids.code('40102') },
      },
    ]),
    [
      staffPaths.closeCode,
      {
        persona: 'staff',
        fields: ['closedOn'],
        plausible: { closedOn: fc.constantFrom('2021-01-31', '2019-02-29') },
        params: { ...demoEmployer, codeId: ids.code('40101') },
      },
    ],
    [
      staffPaths.terms,
      {
        persona: 'staff',
        fields: ['version', 'bodySv', 'bodyEn'],
        plausible: { version: fc.stringMatching(/^20[0-9]{2}-[0-9]{2}$/), bodySv: name, bodyEn: name },
      },
    ],
    [
      onboarding.staff.newApplication,
      {
        persona: 'staff',
        fields: ['employerId', 'name', 'title', 'personalIdentityNumber', 'email'],
        plausible: {
          employerId: fc.constantFrom(invitedEmployerId, freeEmployerId),
          name,
          title: name,
          personalIdentityNumber: number,
          email,
        },
      },
    ],
    ...[onboarding.staff.resend, onboarding.staff.recordPaper, onboarding.staff.cancel].map(
      (path): [string, FormCase] => [
        path,
        {
          persona: 'staff',
          fields: ['checked'],
          plausible: { checked: fc.constant('yes') },
          params: { applicationId: otherApplicationId },
        },
      ],
    ),
    [
      launch.letter,
      {
        persona: 'staff',
        fields: ['audience', 'submissionId', 'decision', 'resendDigest'],
        plausible: {
          audience: fc.constantFrom('alla', 'utan-bestallare'),
          submissionId: fc.uuid(),
          decision: fc.constantFrom('nya', 'alla'),
        },
      },
    ],
    [mail.staffRetry, { persona: 'staff', fields: ['confirm'], params: { emailId } }],
    [
      paths.requests.create,
      { persona: 'orderer', fields: ['items', 'reason'], plausible: { items: someGrants, reason: name } },
    ],
    [paths.requests.approve, { persona: 'orderer', fields: [], params: requestParams }],
    [
      paths.requests.reject,
      { persona: 'orderer', fields: ['rejectionReason'], plausible: { rejectionReason: name }, params: requestParams },
    ],
    [
      paths.reviews.review,
      {
        persona: 'orderer',
        fields: ['items', 'decision', 'row'],
        plausible: { items: fc.uuid(), decision: fc.constantFrom('confirm', 'remove') },
      },
    ],
  ];
  for (const [path, form] of cases) forms.set(`POST ${path}`, form);
}

await setUp();

/** The page each persona reads its CSRF token from (the logout form in the header is on every page). */
const TOKEN_PAGE: Record<Persona, string> = { orderer: '/', staff: '/', invited: paths.onboarding.details };

/** The form's body as a browser sends it: repeated fields for a list, absent fields left out. */
function body(token: string, form: Record<string, FieldValue>): string {
  const encoded = new URLSearchParams({ _csrf: token });
  for (const [name, value] of Object.entries(form)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) encoded.append(name, item);
  }
  return encoded.toString();
}

/** Markup in what was sent must come back escaped: no script but the app's own files, no event handlers. */
function expectEscaped(response: Response, form: Record<string, FieldValue>): void {
  if (!String(response.headers['content-type']).startsWith('text/html')) return;
  const $ = cheerio.load(response.text);
  $('script').each((_, script) => {
    expect(script.attribs.src ?? '', 'an inline or foreign script').toMatch(/^\/[^/]/);
    expect($(script).text().trim()).toBe('');
  });
  for (const element of $('*').toArray()) {
    const attributes = 'attribs' in element ? Object.keys(element.attribs) : [];
    expect(
      attributes.filter((attribute) => attribute.startsWith('on')),
      'an event handler attribute',
    ).toEqual([]);
  }
  for (const value of Object.values(form).flat()) {
    // a short value such as "<a" or "<b" occurs in any page's own markup; from ten characters on, markup found
    // verbatim is the value's own, unescaped
    if (value && value.length >= 10 && /<[a-z]/i.test(value)) expect(response.text).not.toContain(value);
  }
}

/** Every string inside a JSON value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Every text column the forms write, read back: nothing with control or bidi characters, no invalid number or address. */
async function expectNothingInvalidStored(): Promise<void> {
  const textOf = async (table: string, columns: string[]) =>
    (await db(table).select<Record<string, string | null>[]>(columns)).flatMap((row) =>
      columns.map((column) => ({ where: `${table}.${column}`, value: row[column] ?? '' })),
    );
  const oneLine = [
    ...(await textOf('persons', ['given_name', 'family_name', 'display_name', 'email', 'phone'])),
    ...(await textOf('employers', ['name', 'registry_email'])),
    ...(await textOf('employer_codes', ['code', 'name'])),
    ...(await textOf('orderer_applications', ['name', 'title', 'email', 'phone'])),
    ...(await textOf('terms_versions', ['version'])),
    ...(await textOf('outbox', ['recipient_email'])),
    ...(await textOf('launch_letters', ['recipient_email'])),
  ];
  for (const { where, value } of oneLine) {
    expect(value, where).not.toMatch(FORBIDDEN_CHARACTERS);
    expect(value, where).toBe(value.trim());
    if (where.endsWith('email') && value !== '') expect(value, where).toMatch(/^[^@\s]+@[^@\s]+\.[^@\s]+$/);
  }
  // end dates: never more than ten years ahead (the form refuses later days)
  const latest = testApp.clock.now + (10 * 366 + 1) * 24 * 60 * 60 * 1000;
  for (const [table, column] of [
    ['role_assignments', 'valid_until'],
    ['permissions', 'expires_at'],
  ] as const) {
    const far = await db(table).where(column, '>', new Date(latest)).count<{ count: string }[]>({ count: '*' });
    expect(Number(far[0]?.count), `${table} ending more than ten years ahead`).toBe(0);
  }
  // free text (the terms) and the names and addresses copied into the audit trail and the emails' data
  const multiLine = [
    ...(await textOf('terms_versions', ['body_sv', 'body_en'])),
    ...(await textOf('access_requests', ['reason', 'rejection_reason'])),
    ...(await db('audit_log').select<{ before: unknown; after: unknown }[]>('before', 'after')).flatMap((row) =>
      stringsIn([row.before, row.after]).map((value) => ({ where: 'audit_log', value })),
    ),
    ...(await db('outbox').select<{ data: unknown }[]>('data')).flatMap((row) =>
      stringsIn(row.data).map((value) => ({ where: 'outbox.data', value })),
    ),
  ];
  for (const { where, value } of multiLine)
    expect(value.replace(/[\n\t]/g, ''), where).not.toMatch(FORBIDDEN_CHARACTERS);
  for (const table of ['persons', 'orderer_applications']) {
    for (const { personal_identity_number: number } of await db(table).select<{ personal_identity_number: string }[]>(
      'personal_identity_number',
    ))
      expect(normalisePersonalIdentityNumber(number, TODAY), `${table} holds ${number}`).toBe(number);
  }
}

describe('every form (properties)', () => {
  it('covers every POST route the app has, or says why not', () => {
    const posted = listRoutes(testApp.app)
      .filter((route) => route.method === 'post')
      .map((route) => `POST ${route.path}`);
    const unlisted = posted.filter((key) => !forms.has(key) && !(key in NOT_COVERED));
    expect(unlisted, 'POST routes without a property test').toEqual([]);
    const stale = [...forms.keys(), ...Object.keys(NOT_COVERED)].filter((key) => !posted.includes(key));
    expect(stale, 'listed routes the app does not have').toEqual([]);
  });

  it.each([...forms.entries()])(
    '%s: hostile values never give a 500, are stored valid or not at all, and come back escaped',
    async (key, form) => {
      const agent = agents.get(form.persona);
      if (!agent) throw new Error(`no agent for ${form.persona}`);
      const path = pathTo(key.slice('POST '.length), form.params ?? {});
      const statuses: number[] = [];
      let token = await csrfToken(agent, TOKEN_PAGE[form.persona]);
      await fc.assert(
        fc.asyncProperty(hostileForm(form.fields, form.plausible), async (values) => {
          const response = await agent.post(path).type('form').send(body(token, values));
          statuses.push(response.status);
          // a form that ends the step (the invitation's) may renew the session's token: read it again
          if (response.status === 403) token = await csrfToken(agent, TOKEN_PAGE[form.persona]);
          expect(response.status, response.text.slice(0, 2000)).toBeLessThan(500);
          expectEscaped(response, values);
        }),
        WEB_RUNS,
      );
      console.log(
        'STATUSES',
        key,
        JSON.stringify(
          Object.entries(statuses.reduce<Record<number, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {})),
        ),
      );
      await expectNothingInvalidStored();
      // the posts got past the CSRF check and the access check: the properties tested the handler, not a refusal
      expect(
        statuses.some((status) => status !== 403),
        `statuses ${statuses.join(',')}`,
      ).toBe(true);
    },
  );
});

/** Pages that read a query string (filters, paging, searches): the query is read leniently, never a server error. */
const QUERIES: { persona: Persona; path: string; params: string[] }[] = [
  { persona: 'orderer', path: paths.permissions.users, params: ['kod', 'tjanst', 'visa', 'sida'] },
  { persona: 'orderer', path: paths.permissions.export, params: ['kod', 'tjanst', 'visa'] },
  ...[paths.audit.employer, paths.audit.own].map((path) => ({
    persona: 'orderer' as const,
    path,
    params: ['person', 'kod', 'arbetsgivare', 'sok', 'aldre', 'nyare', 'fran', 'till'],
  })),
  {
    persona: 'staff',
    path: paths.audit.staff,
    params: ['person', 'kod', 'arbetsgivare', 'sok', 'aldre', 'nyare', 'fran', 'till'],
  },
  { persona: 'staff', path: paths.staff.employers, params: ['q', 'sida'] },
  { persona: 'staff', path: paths.launch.employers, params: ['urval', 'sida'] },
  { persona: 'staff', path: paths.launch.codes, params: ['sida'] },
  { persona: 'staff', path: paths.launch.imported, params: ['urval', 'sida'] },
  { persona: 'staff', path: paths.onboarding.staff.newApplication, params: ['employer'] },
];

describe('every page that reads a query string (properties)', () => {
  const numeric = fc.oneof(
    fc.stringMatching(/^[0-9]{1,20}$/),
    fc.constantFrom('0', '-1', '1e3', '9007199254740993', '2026-02-30'),
  );

  it.each(QUERIES)('GET $path: hostile query values never give a 500 and come back escaped', async (page) => {
    const agent = agents.get(page.persona);
    if (!agent) throw new Error(`no agent for ${page.persona}`);
    const plausible = Object.fromEntries(page.params.map((param) => [param, numeric]));
    await fc.assert(
      fc.asyncProperty(hostileForm(page.params, plausible), async (values) => {
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(values)) {
          for (const item of value === undefined ? [] : Array.isArray(value) ? value : [value])
            query.append(name, item);
        }
        const response = await agent.get(`${page.path}?${query.toString()}`);
        expect(response.status, response.text.slice(0, 2000)).toBeLessThan(500);
        expectEscaped(response, values);
      }),
      { numRuns: 20 },
    );
  });
});
