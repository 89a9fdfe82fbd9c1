import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAML, SamlStatusError, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml';
import * as cheerio from 'cheerio';
import express, { type Express } from 'express';
import session from 'express-session';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDevIdentityProvider,
  type DevIdentityProvider,
  type TestPerson,
} from '../../src/auth/dev-idp/identity-provider';
import { developmentKeyPair, type KeyPair } from '../../src/auth/keys';
import { ATTRIBUTES, CANCEL_STATUS, LOA3, NAMEID_PERSISTENT, NS } from '../../src/auth/saml-constants';
import { buildSpMetadata } from '../../src/auth/sp-metadata';
import { createLogger } from '../../src/logger';
import { paths } from '../../src/paths';
import { setUpCsrf } from '../../src/web/csrf';
import { createI18n, setUpI18n } from '../../src/web/i18n';
import { setUpLocals } from '../../src/web/locals';
import { setUpRequestLogging } from '../../src/web/request-logging';
import { setUpStaticFiles } from '../../src/web/static-files';

const BASE = 'http://localhost:3000';
const SP_ENTITY_ID = `${BASE}/saml/metadata`;
const ACS_URL = `${BASE}${paths.saml.acs}`;
const SSO_URL = `${BASE}${paths.devEid.sso}`;
const VIEWS = path.resolve(import.meta.dirname, '../../views');

const ANNA: TestPerson = {
  personalIdentityNumber: '191212102824',
  givenName: 'Anna',
  familyName: 'Bergström',
  displayName: 'Anna Bergström',
};
const ERIK: TestPerson = {
  personalIdentityNumber: '191212091357',
  givenName: 'Erik',
  familyName: 'Johansson',
  displayName: 'Erik Johansson',
};
const SIGN_TEXT = 'Jag intygar att uppgifterna stämmer.\nÅsa Öberg är ansvarig administratör för 40101 – ä.';

type Agent = ReturnType<typeof request.agent>;

interface Harness {
  app: Express;
  idp: DevIdentityProvider;
  /** A node-saml SP like the portal's, with the extensions a request needs. */
  sp: (options?: { sign?: boolean; principal?: string; overrides?: Partial<SamlConfig> }) => SAML;
}

let keyDir: string;
let spSigning: KeyPair;
let spEncryption: KeyPair;
let stranger: KeyPair;
let plain: Harness;
let encrypted: Harness;

function spMetadata(encryptionCert: string | undefined): string {
  return buildSpMetadata({
    entityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    signingCert: spSigning.cert,
    encryptionCert,
    displayName: { sv: 'Behörighetsportalen', en: 'Permission portal' },
    description: { sv: 'Test', en: 'Test' },
    organisation: { name: { sv: 'SPV', en: 'SPV' }, url: BASE },
    technicalContact: { company: 'SPV', email: 'test@spv.example' },
  });
}

function signExtensions(idpEntityId: string, principal: string | undefined): Record<string, unknown> {
  return {
    'csig:SignMessage': {
      '@xmlns:csig': NS.csig,
      '@MustShow': 'true',
      '@DisplayEntity': idpEntityId,
      '@MimeType': 'text',
      'csig:Message': Buffer.from(SIGN_TEXT, 'utf8').toString('base64'),
    },
    ...(principal && {
      'psc:PrincipalSelection': {
        '@xmlns:psc': NS.psc,
        'psc:MatchValue': { '@Name': ATTRIBUTES.personalIdentityNumber, '#text': principal },
      },
    }),
  };
}

async function harness(encrypt: boolean): Promise<Harness> {
  const metadata = spMetadata(encrypt ? spEncryption.cert : undefined);
  const idp = await createDevIdentityProvider({
    baseUrl: BASE,
    keyDir,
    spMetadataXml: () => metadata,
    listPersons: () => Promise.resolve([ANNA, ERIK]),
    now: () => Date.now(),
  });
  const app = express();
  app.set('views', VIEWS);
  app.set('view engine', 'ejs');
  setUpRequestLogging(app, createLogger('silent'));
  setUpStaticFiles(app);
  app.use(session({ secret: 'dev-idp-test', resave: false, saveUninitialized: false }));
  app.use(express.urlencoded({ extended: false }));
  setUpI18n(app, await createI18n(), { production: false });
  setUpLocals(app);
  setUpCsrf(app, () => Date.now());
  app.use(idp.router);

  const sp = (options: { sign?: boolean; principal?: string; overrides?: Partial<SamlConfig> } = {}) =>
    new SAML({
      entryPoint: SSO_URL,
      issuer: SP_ENTITY_ID,
      callbackUrl: ACS_URL,
      audience: SP_ENTITY_ID,
      idpCert: idp.signingKeyPair.cert,
      idpIssuer: idp.entityId,
      privateKey: spSigning.key,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: 60_000,
      authnContext: [LOA3],
      identifierFormat: NAMEID_PERSISTENT,
      ...(encrypt && { decryptionPvk: spEncryption.key }),
      ...(options.sign && {
        forceAuthn: true,
        samlAuthnRequestExtensions: signExtensions(idp.entityId, options.principal),
      }),
      ...options.overrides,
    });
  return { app, idp, sp };
}

beforeAll(async () => {
  keyDir = await mkdtemp(path.join(tmpdir(), 'dev-idp-test-'));
  [spSigning, spEncryption, stranger] = await Promise.all([
    developmentKeyPair(keyDir, 'sp-signing', 'sp-signing'),
    developmentKeyPair(keyDir, 'sp-encryption', 'sp-encryption'),
    developmentKeyPair(keyDir, 'stranger', 'stranger'),
  ]);
  plain = await harness(false);
  encrypted = await harness(true);
});

afterAll(async () => {
  await rm(keyDir, { recursive: true, force: true });
});

/** The SP's signed Redirect-binding URL, as a path and query for supertest. */
async function requestUrl(sp: SAML, relayState = 'relay-state-1'): Promise<string> {
  const url = new URL(await sp.getAuthorizeUrlAsync(relayState, undefined, {}));
  return `${url.pathname}${url.search}`;
}

/** Sends the request and opens the page where the person is chosen. */
async function openPage(agent: Agent, sp: SAML, relayState?: string): Promise<cheerio.CheerioAPI> {
  const sent = await agent.get(await requestUrl(sp, relayState)).expect(302);
  expect(sent.headers.location).toBe(paths.devEid.authenticate);
  const page = await agent.get(paths.devEid.authenticate).expect(200);
  return cheerio.load(page.text);
}

function submit(agent: Agent, $: cheerio.CheerioAPI, fields: Record<string, string>) {
  const csrf = $('input[name=_csrf]').val();
  return agent
    .post(paths.devEid.authenticate)
    .type('form')
    .send({ _csrf: typeof csrf === 'string' ? csrf : '', ...fields });
}

interface PostedForm {
  action: string | undefined;
  SAMLResponse: string;
  RelayState: string | undefined;
  $: cheerio.CheerioAPI;
}

function postedForm(html: string): PostedForm {
  const $ = cheerio.load(html);
  const form = $('form[data-auto-submit]');
  return {
    action: form.attr('action'),
    SAMLResponse: form.find('input[name=SAMLResponse]').val() as string,
    RelayState: form.find('input[name=RelayState]').val() as string | undefined,
    $,
  };
}

function xmlOf(samlResponse: string): string {
  return Buffer.from(samlResponse, 'base64').toString('utf8');
}

function attribute(profile: Profile | null, name: keyof typeof ATTRIBUTES): unknown {
  return profile?.[ATTRIBUTES[name]];
}

/** Logs in on the page as `fields` and gives what node-saml makes of the response. */
async function logIn(harnessUnderTest: Harness, fields: Record<string, string>, sp = harnessUnderTest.sp()) {
  const agent = request.agent(harnessUnderTest.app);
  const $ = await openPage(agent, sp);
  const answer = await submit(agent, $, { action: 'authenticate', ...fields }).expect(200);
  const form = postedForm(answer.text);
  const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse });
  return { form, profile, agent };
}

describe('development e-ID metadata', () => {
  it('is served as SAML metadata with the signing certificate and the Redirect SSO service', async () => {
    const response = await request(plain.app).get(paths.devEid.metadata).expect(200);
    expect(response.headers['content-type']).toContain('application/samlmetadata+xml');
    const $ = cheerio.load(response.text, { xml: true });
    expect($('md\\:EntityDescriptor').attr('entityID')).toBe(`${BASE}/dev-eid`);
    expect($('md\\:IDPSSODescriptor').attr('WantAuthnRequestsSigned')).toBe('true');
    const sso = $('md\\:SingleSignOnService');
    expect(sso.attr('Location')).toBe(SSO_URL);
    expect(sso.attr('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect');
    const cert = $('md\\:KeyDescriptor[use=signing] ds\\:X509Certificate').text();
    expect(plain.idp.signingKeyPair.cert.replace(/-----[A-Z ]+-----|\s/g, '')).toBe(cert);
    expect(response.text).toBe(plain.idp.metadataXml);
  });
});

describe('logging in with the development e-ID', () => {
  it('shows a labelled page with the test persons, clearly not a real e-ID', async () => {
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, plain.sp());
    expect($('h1')).toHaveLength(1);
    expect($('h1').text()).toContain('utvecklings-e-legitimation');
    expect($('[data-testid=dev-eid-warning]').text()).toContain('inte en riktig e-legitimation');
    expect($('fieldset legend').text()).toBe('Välj testperson');
    const radios = $('fieldset input[type=radio][name=person]');
    expect(radios.map((_, radio) => $(radio).val()).get()).toEqual([
      ANNA.personalIdentityNumber,
      ERIK.personalIdentityNumber,
    ]);
    radios.each((_, radio) => {
      expect($(`label[for="${$(radio).attr('id') ?? ''}"]`).text()).toMatch(/, 19121210-2824|, 19121209-1357/);
    });
    expect($('label[for=personalIdentityNumber]')).toHaveLength(1);
    expect($('form').attr('action')).toBe(paths.devEid.authenticate);
    expect($('button[value=authenticate]').text()).toBe('Legitimera');
    expect($('button[value=cancel]').text()).toBe('Avbryt');
    expect($('[data-testid=sign-message]')).toHaveLength(0);
  });

  it('answers with a signed response that node-saml accepts, with the chosen person and a pseudonym', async () => {
    const { form, profile } = await logIn(plain, { person: ANNA.personalIdentityNumber });
    expect(form.action).toBe(ACS_URL);
    expect(form.RelayState).toBe('relay-state-1');
    expect(form.$('button[type=submit]').text()).toBe('Fortsätt');
    expect(form.$('script:not([src])')).toHaveLength(0);
    const script = form.$('script[src$="/js/auto-submit.js"]');
    expect(script.attr('defer')).toBeDefined();
    await request(plain.app)
      .get(script.attr('src') ?? '')
      .expect(200)
      .expect('content-type', /javascript/);

    expect(attribute(profile, 'personalIdentityNumber')).toBe(ANNA.personalIdentityNumber);
    expect(attribute(profile, 'givenName')).toBe('Anna');
    expect(attribute(profile, 'sn')).toBe('Bergström');
    expect(attribute(profile, 'displayName')).toBe('Anna Bergström');
    expect(attribute(profile, 'dateOfBirth')).toBe('1912-12-10');
    expect(attribute(profile, 'signMessageDigest')).toBeUndefined();
    expect(profile?.nameIDFormat).toBe(NAMEID_PERSISTENT);
    expect(profile?.nameID).not.toContain(ANNA.personalIdentityNumber);

    const assertion = cheerio.load(profile?.getAssertionXml?.() ?? '', { xml: true });
    expect(assertion('saml\\:AuthnStatement')).toHaveLength(1);
    expect(assertion('saml\\:AttributeStatement')).toHaveLength(1);
    expect(assertion('saml\\:AuthnContextClassRef').text()).toBe(LOA3);
    expect(assertion('saml\\:SubjectConfirmationData').attr('Recipient')).toBe(ACS_URL);
    expect(assertion('saml\\:Audience').text()).toBe(SP_ENTITY_ID);

    const response = cheerio.load(xmlOf(form.SAMLResponse), { xml: true });
    expect(response('samlp\\:Response').attr('Destination')).toBe(ACS_URL);
    expect(response('samlp\\:Response > ds\\:Signature')).toHaveLength(1);
    expect(response('saml\\:Assertion > ds\\:Signature')).toHaveLength(1);
    expect(response('ds\\:SignatureMethod').first().attr('Algorithm')).toBe(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    );
  });

  it('gives the same pseudonym to the same person every time, and another to another person', async () => {
    const first = await logIn(plain, { person: ANNA.personalIdentityNumber });
    const again = await logIn(plain, { person: ANNA.personalIdentityNumber });
    const other = await logIn(plain, { person: ERIK.personalIdentityNumber });
    expect(again.profile?.nameID).toBe(first.profile?.nameID);
    expect(other.profile?.nameID).not.toBe(first.profile?.nameID);
  });

  it('uses a typed personal identity number instead of the list', async () => {
    const { profile } = await logIn(plain, {
      person: ANNA.personalIdentityNumber,
      personalIdentityNumber: '121212+1212',
    });
    expect(attribute(profile, 'personalIdentityNumber')).toBe('191212121212');
    expect(attribute(profile, 'dateOfBirth')).toBe('1912-12-12');
  });

  it('encrypts the assertion when the SP metadata has an encryption key, and node-saml decrypts it', async () => {
    const { form, profile } = await logIn(encrypted, { person: ERIK.personalIdentityNumber });
    const response = cheerio.load(xmlOf(form.SAMLResponse), { xml: true });
    expect(response('saml\\:EncryptedAssertion')).toHaveLength(1);
    expect(response('saml\\:Assertion')).toHaveLength(0);
    expect(response('samlp\\:Response > ds\\:Signature')).toHaveLength(1);
    expect(response('xenc\\:EncryptionMethod').first().attr('Algorithm')).toBe(
      'http://www.w3.org/2009/xmlenc11#aes256-gcm',
    );
    expect(attribute(profile, 'personalIdentityNumber')).toBe(ERIK.personalIdentityNumber);
    expect(attribute(profile, 'sn')).toBe('Johansson');
  });

  it('answers a request only once', async () => {
    const { agent } = await logIn(plain, { person: ANNA.personalIdentityNumber });
    const again = await agent.get(paths.devEid.authenticate).expect(400);
    expect(cheerio.load(again.text)('[data-testid=refusal-reason]').text()).toContain('ingen inloggning');
  });

  it('speaks English when asked', async () => {
    const agent = request.agent(plain.app);
    await agent.get(await requestUrl(plain.sp())).expect(302);
    const page = await agent.get(`${paths.devEid.authenticate}?lang=en`).expect(200);
    const $ = cheerio.load(page.text);
    expect($('html').attr('lang')).toBe('en');
    expect($('button[value=cancel]').text()).toBe('Cancel');
  });
});

describe('invalid input on the page', () => {
  it('shows the error summary with status 422 and keeps the input for a bad number', async () => {
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, plain.sp());
    const answer = await submit(agent, $, { action: 'authenticate', personalIdentityNumber: '19121212-1213' }).expect(
      422,
    );
    const page = cheerio.load(answer.text);
    expect(page('[data-testid=error-summary] a').attr('href')).toBe('#personalIdentityNumber');
    const input = page('input#personalIdentityNumber');
    expect(input.val()).toBe('19121212-1213');
    expect(input.attr('aria-invalid')).toBe('true');
    expect(page('#personalIdentityNumber-error').text()).toContain('giltigt personnummer');

    const fixed = await submit(agent, page, { action: 'authenticate', personalIdentityNumber: '19121212-1212' }).expect(
      200,
    );
    expect(postedForm(fixed.text).SAMLResponse).toBeTruthy();
  });

  it('asks for a person when none is chosen, linking to the first radio button', async () => {
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, plain.sp());
    const answer = await submit(agent, $, { action: 'authenticate' }).expect(422);
    const page = cheerio.load(answer.text);
    expect(page('[data-testid=error-summary] a').attr('href')).toBe('#person-0');
    expect(page('fieldset #person-error').text()).toContain('Välj en testperson');
    expect(page('fieldset').attr('aria-describedby')).toContain('person-error');
  });
});

describe('signing with the development e-ID', () => {
  it('shows the sign message and returns its SHA-256 digest over the UTF-8 text', async () => {
    const sp = plain.sp({ sign: true });
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, sp);
    expect($('h1').text()).toContain('Signera');
    const shown = $('[data-testid=sign-message] p')
      .map((_, line) => $(line).text())
      .get();
    expect(shown).toEqual(SIGN_TEXT.split('\n'));
    expect($('button[value=authenticate]').text()).toBe('Signera');

    const answer = await submit(agent, $, { action: 'authenticate', person: ERIK.personalIdentityNumber }).expect(200);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: postedForm(answer.text).SAMLResponse });
    const expected = createHash('sha256').update(Buffer.from(SIGN_TEXT, 'utf8')).digest('base64');
    expect(attribute(profile, 'signMessageDigest')).toBe(`http://www.w3.org/2001/04/xmlenc#sha256;${expected}`);
    expect(attribute(profile, 'transactionIdentifier')).toEqual(expect.any(String));
    expect(attribute(profile, 'personalIdentityNumber')).toBe(ERIK.personalIdentityNumber);
  });

  it('signs in encrypted mode too', async () => {
    const sp = encrypted.sp({ sign: true });
    const { profile } = await logIn(encrypted, { person: ANNA.personalIdentityNumber }, sp);
    expect(String(attribute(profile, 'signMessageDigest'))).toMatch(/^http:\/\/www\.w3\.org\/2001\/04\/xmlenc#sha256;/);
  });

  it('offers only the person that PrincipalSelection names and refuses anyone else', async () => {
    const sp = plain.sp({ sign: true, principal: ERIK.personalIdentityNumber });
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, sp);
    const radios = $('input[type=radio][name=person]');
    expect(radios.map((_, radio) => $(radio).val()).get()).toEqual([ERIK.personalIdentityNumber]);
    expect(radios.attr('checked')).toBeDefined();
    expect($('input#personalIdentityNumber')).toHaveLength(0);

    const wrong = await submit(agent, $, { action: 'authenticate', person: ANNA.personalIdentityNumber }).expect(422);
    expect(cheerio.load(wrong.text)('[data-testid=error-summary]').text()).toContain('Bara den person');
    const typed = await submit(agent, $, { action: 'authenticate', personalIdentityNumber: '191212121212' }).expect(
      422,
    );
    expect(cheerio.load(typed.text)('[data-testid=error-summary] a').attr('href')).toBe('#person-0');

    const right = await submit(agent, $, { action: 'authenticate', person: ERIK.personalIdentityNumber }).expect(200);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: postedForm(right.text).SAMLResponse });
    expect(attribute(profile, 'personalIdentityNumber')).toBe(ERIK.personalIdentityNumber);
  });
});

describe('cancelling', () => {
  it('answers with a signed Responder/cancel status and no assertion', async () => {
    const sp = plain.sp();
    const agent = request.agent(plain.app);
    const $ = await openPage(agent, sp);
    const answer = await submit(agent, $, { action: 'cancel' }).expect(200);
    const form = postedForm(answer.text);
    expect(form.action).toBe(ACS_URL);
    expect(form.RelayState).toBe('relay-state-1');

    const response = cheerio.load(xmlOf(form.SAMLResponse), { xml: true });
    expect(response('samlp\\:Response > samlp\\:Status > samlp\\:StatusCode').attr('Value')).toBe(
      'urn:oasis:names:tc:SAML:2.0:status:Responder',
    );
    expect(response('samlp\\:StatusCode > samlp\\:StatusCode').attr('Value')).toBe(CANCEL_STATUS);
    expect(response('saml\\:Assertion, saml\\:EncryptedAssertion')).toHaveLength(0);
    expect(response('samlp\\:Response > ds\\:Signature')).toHaveLength(1);

    // node-saml checks the signature (wantAuthnResponseSigned) before it reports the status.
    const refusal = await sp
      .validatePostResponseAsync({ SAMLResponse: form.SAMLResponse })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SamlStatusError);
    expect((refusal as SamlStatusError).xmlStatus).toContain(CANCEL_STATUS);

    await agent.get(paths.devEid.authenticate).expect(400);
  });
});

describe('requests the development e-ID refuses', () => {
  async function refusal(url: string): Promise<string> {
    const response = await request(plain.app).get(url).expect(400);
    expect(response.headers.location).toBeUndefined();
    return cheerio.load(response.text)('[data-testid=refusal-reason]').text();
  }

  it('refuses an unsigned request', async () => {
    const unsigned = plain.sp({ overrides: { privateKey: undefined } });
    const url = await requestUrl(unsigned);
    expect(url).not.toContain('Signature=');
    expect(await refusal(url)).toContain('inte signerad');
  });

  it('refuses a request whose RelayState was changed after signing', async () => {
    const url = await requestUrl(plain.sp(), 'original');
    expect(await refusal(url.replace('RelayState=original', 'RelayState=changed'))).toContain('Signaturen');
  });

  it('refuses a request whose signature was changed', async () => {
    const url = new URL(await requestUrl(plain.sp()), BASE);
    const signature = url.searchParams.get('Signature') ?? '';
    url.searchParams.set('Signature', `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
    expect(await refusal(`${url.pathname}${url.search}`)).toContain('Signaturen');
  });

  it('refuses a request signed by a key not in the SP metadata', async () => {
    const url = await requestUrl(plain.sp({ overrides: { privateKey: stranger.key } }));
    expect(await refusal(url)).toContain('Signaturen');
  });

  it('refuses a request signed with SHA-1', async () => {
    const url = await requestUrl(plain.sp({ overrides: { signatureAlgorithm: 'sha1' } }));
    expect(url).toContain(encodeURIComponent('http://www.w3.org/2000/09/xmldsig#rsa-sha1'));
    expect(await refusal(url)).toContain('SHA-1');
  });

  it('refuses a request whose ACS URL is not the one in the SP metadata', async () => {
    const url = await requestUrl(plain.sp({ overrides: { callbackUrl: 'https://elsewhere.example/acs' } }));
    expect(await refusal(url)).toContain('AssertionConsumerServiceURL');
  });

  it('refuses a request that does not ask for LoA 3', async () => {
    const url = await requestUrl(plain.sp({ overrides: { authnContext: ['http://id.elegnamnden.se/loa/1.0/loa2'] } }));
    expect(await refusal(url)).toContain('tillitsnivå 3');
  });

  it('refuses a sign request without ForceAuthn', async () => {
    const url = await requestUrl(plain.sp({ sign: true, overrides: { forceAuthn: false } }));
    expect(await refusal(url)).toContain('ForceAuthn');
  });

  it('refuses to answer when there is no request', async () => {
    await request(plain.app).get(paths.devEid.authenticate).expect(400);
  });
});

describe('issueResponse, for tests without the pages', () => {
  it('builds a response node-saml accepts, and a cancel', async () => {
    const sp = encrypted.sp({ sign: true });
    const SAMLResponse = await encrypted.idp.issueResponse({
      request: { id: '_request-1', acsUrl: ACS_URL, signMessage: SIGN_TEXT },
      person: ANNA,
    });
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse });
    expect(attribute(profile, 'personalIdentityNumber')).toBe(ANNA.personalIdentityNumber);
    expect(profile?.inResponseTo).toBe('_request-1');
    const expected = createHash('sha256').update(SIGN_TEXT, 'utf8').digest('base64');
    expect(attribute(profile, 'signMessageDigest')).toBe(`http://www.w3.org/2001/04/xmlenc#sha256;${expected}`);

    const cancel = await plain.idp.issueResponse({ request: { id: '_request-2', acsUrl: ACS_URL }, cancel: true });
    await expect(plain.sp().validatePostResponseAsync({ SAMLResponse: cancel })).rejects.toBeInstanceOf(
      SamlStatusError,
    );
  });

  it('puts the overrides in, for responses an SP must refuse', async () => {
    const SAMLResponse = await plain.idp.issueResponse({
      request: { id: '_request-3', acsUrl: ACS_URL },
      person: ERIK,
      overrides: {
        recipient: 'https://elsewhere.example/acs',
        authnContextClassRef: 'http://id.elegnamnden.se/loa/1.0/loa2',
      },
    });
    const { profile } = await plain.sp().validatePostResponseAsync({ SAMLResponse });
    const assertion = cheerio.load(profile?.getAssertionXml?.() ?? '', { xml: true });
    expect(assertion('saml\\:SubjectConfirmationData').attr('Recipient')).toBe('https://elsewhere.example/acs');
    expect(assertion('saml\\:AuthnContextClassRef').text()).toBe('http://id.elegnamnden.se/loa/1.0/loa2');
  });
});
