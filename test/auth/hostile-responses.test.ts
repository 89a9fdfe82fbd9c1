import * as cheerio from 'cheerio';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { KeyPair } from '../../src/auth/keys';
import { ATTRIBUTES, STATUS_SUCCESS } from '../../src/auth/saml-constants';
import { buildTestApp, type TestApp } from '../helpers/app';
import { startLogin } from '../helpers/eid-requests';
import { attackerKeys, developmentKeys } from '../helpers/keys';
import {
  assertionXml,
  defaultParts,
  encode,
  newId,
  responseXml,
  sign,
  validResponse,
  type ResponseParts,
} from '../helpers/saml-forge';

const BASE = 'http://localhost:3000';
const IDP = `${BASE}/dev-eid`;
const ACS = `${BASE}/saml/acs`;
const SP = `${BASE}/saml/metadata`;
const PNR = '191212121212';

let testApp: TestApp;
let idpKeys: KeyPair;
let attacker: KeyPair;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  idpKeys = await developmentKeys(inject('dataDir'), 'dev-idp-signing');
  attacker = await attackerKeys(inject('dataDir'));
});

async function freshParts(): Promise<ResponseParts> {
  const sent = await startLogin(request.agent(testApp.app));
  return defaultParts({
    requestId: sent.id,
    idpEntityId: IDP,
    acsUrl: ACS,
    spEntityId: SP,
    personalIdentityNumber: PNR,
  });
}

function post(xml: string) {
  return request(testApp.app)
    .post('/saml/acs')
    .type('form')
    .send({ SAMLResponse: encode(xml) });
}

async function loggedInSessions(): Promise<number> {
  const rows = await testApp.db('sessions').select('sess');
  return rows.filter((row: { sess: { personId?: string } }) => row.sess.personId).length;
}

/** Refused with the failure page and no session; `reason`, when given, is what the log must say. */
async function expectRefused(xml: string, reason?: string): Promise<void> {
  const before = await loggedInSessions();
  const logged = testApp.logs.length;
  const response = await post(xml);
  expect(response.status).toBe(400);
  expect(cheerio.load(response.text)('h1').text()).toBe('Inloggningen kunde inte genomföras');
  expect(response.headers['set-cookie']).toBeUndefined();
  expect(await loggedInSessions()).toBe(before);
  const refusal = testApp.logs.slice(logged).find((line) => line.includes('e-ID response refused'));
  expect(refusal).toBeDefined();
  if (reason) expect(refusal).toContain(reason);
}

describe('a correct response', () => {
  it('logs the person in (the control for every case below)', async () => {
    const response = await post(validResponse(await freshParts(), idpKeys));
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/oversikt');
    expect(String(response.headers['set-cookie'])).toContain('portal.sid=');
  });
});

describe('hostile responses are refused, with no session', () => {
  it('signature stripped', async () => {
    const parts = await freshParts();
    await expectRefused(responseXml(parts, assertionXml(parts)), 'Invalid document signature');
  });

  it('signed response around an unsigned assertion', async () => {
    const parts = await freshParts();
    await expectRefused(sign(responseXml(parts, assertionXml(parts)), parts.responseId, idpKeys), 'Invalid signature');
  });

  it('signed assertion in an unsigned response', async () => {
    const parts = await freshParts();
    await expectRefused(
      responseXml(parts, sign(assertionXml(parts), parts.assertionId, idpKeys)),
      'Invalid document signature',
    );
  });

  it('re-signed with another key (its certificate in KeyInfo)', async () => {
    await expectRefused(validResponse(await freshParts(), attacker), 'Invalid document signature');
  });

  it('attribute edited after signing', async () => {
    const parts = await freshParts();
    const signed = validResponse(parts, idpKeys);
    await expectRefused(signed.replace(`>${PNR}<`, '>191212102824<'), 'Invalid document signature');
  });

  it('wrapping: an extra unsigned assertion beside the signed one', async () => {
    const parts = await freshParts();
    const signed = sign(assertionXml(parts), parts.assertionId, idpKeys);
    const evil = assertionXml({
      ...parts,
      assertionId: newId(),
      attributes: { ...parts.attributes, [ATTRIBUTES.personalIdentityNumber]: '191212102824' },
    });
    await expectRefused(sign(responseXml(parts, evil + signed), parts.responseId, idpKeys), 'multiple assertions');
  });

  it('wrapping: the signed assertion moved into an extension, an evil one in its place', async () => {
    const parts = await freshParts();
    const signed = sign(assertionXml(parts), parts.assertionId, idpKeys);
    const evil = assertionXml({
      ...parts,
      attributes: { ...parts.attributes, [ATTRIBUTES.personalIdentityNumber]: '191212102824' },
    });
    const response = responseXml(parts, `<samlp:Extensions>${signed}</samlp:Extensions>${evil}`);
    await expectRefused(response, 'Invalid document signature');
  });

  it('wrapping: duplicate ids (evil assertion with the signed id)', async () => {
    const parts = await freshParts();
    const signedResponse = validResponse(parts, idpKeys);
    const evil = assertionXml({
      ...parts,
      attributes: { ...parts.attributes, [ATTRIBUTES.personalIdentityNumber]: '191212102824' },
    });
    await expectRefused(
      signedResponse.replace('</samlp:Response>', `${evil}</samlp:Response>`),
      'Invalid document signature',
    );
  });

  it('wrong Audience', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), audience: 'https://evil.example/sp' }, idpKeys),
      'audience mismatch',
    );
  });

  it('missing Audience', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), audience: undefined }, idpKeys),
      'no AudienceRestriction',
    );
  });

  it('expired', async () => {
    const parts = await freshParts();
    const past = Date.now() - 20 * 60_000;
    await expectRefused(
      validResponse({ ...parts, notBefore: new Date(past - 60_000), notOnOrAfter: new Date(past) }, idpKeys),
      'No valid subject confirmation',
    );
  });

  it('not yet valid', async () => {
    const parts = await freshParts();
    const future = Date.now() + 20 * 60_000;
    await expectRefused(
      validResponse({ ...parts, notBefore: new Date(future), notOnOrAfter: new Date(future + 300_000) }, idpKeys),
      'not yet valid',
    );
  });

  it('unknown InResponseTo', async () => {
    const parts = await freshParts();
    await expectRefused(
      validResponse({ ...parts, inResponseTo: newId(), subjectInResponseTo: undefined }, idpKeys),
      'InResponseTo is not valid',
    );
  });

  it('missing InResponseTo on the Response', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), inResponseTo: undefined }, idpKeys),
      'InResponseTo is missing',
    );
  });

  it('InResponseTo of the Response and of the SubjectConfirmation differ', async () => {
    const other = await freshParts();
    await expectRefused(
      validResponse({ ...(await freshParts()), subjectInResponseTo: other.inResponseTo }, idpKeys),
      'does not match subjectInResponseTo',
    );
  });

  it('unsolicited (no InResponseTo anywhere)', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), inResponseTo: undefined, subjectInResponseTo: undefined }, idpKeys),
      'InResponseTo is missing',
    );
  });

  it('replayed after it was accepted', async () => {
    const signed = validResponse(await freshParts(), idpKeys);
    expect((await post(signed)).status).toBe(302);
    await expectRefused(signed, 'InResponseTo is not valid');
  });

  it('replayed concurrently: of two posts at the same moment exactly one logs in', async () => {
    const signed = validResponse(await freshParts(), idpKeys);
    const statuses = (await Promise.all(Array.from({ length: 4 }, () => post(signed)))).map(
      (response) => response.status,
    );
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(3);
  });

  it('wrong Recipient', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), recipient: 'https://evil.example/acs' }, idpKeys),
      'wrong Recipient',
    );
  });

  it('wrong Destination', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), destination: 'https://evil.example/acs' }, idpKeys),
      'wrong Destination',
    );
  });

  it('missing Destination', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), destination: undefined }, idpKeys),
      'wrong Destination',
    );
  });

  it('wrong Issuer on the Response', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), issuer: 'https://evil.example/idp' }, idpKeys),
      'wrong Issuer on the Response',
    );
  });

  it('wrong Issuer on the Assertion', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), assertionIssuer: 'https://evil.example/idp' }, idpKeys),
      'wrong Issuer on the Assertion',
    );
  });

  it.each([
    ['lower', 'http://id.elegnamnden.se/loa/1.0/loa2'],
    ['different', 'http://id.elegnamnden.se/loa/1.0/loa4'],
    ['non-Swedish', 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
  ])('%s LoA', async (_kind, loa) => {
    await expectRefused(validResponse({ ...(await freshParts()), loa }, idpKeys), 'LoA is not loa3');
  });

  it('AuthnInstant before the request', async () => {
    await expectRefused(
      validResponse({ ...(await freshParts()), authnInstant: new Date(Date.now() - 30 * 60_000) }, idpKeys),
      'AuthnInstant before the request',
    );
  });

  it('SHA-1 signatures', async () => {
    const parts = await freshParts();
    const assertion = sign(assertionXml(parts), parts.assertionId, idpKeys, 'sha1');
    await expectRefused(sign(responseXml(parts, assertion), parts.responseId, idpKeys, 'sha1'), 'SHA-1');
  });

  it('two AuthnStatements', async () => {
    const parts = await freshParts();
    const doubled = assertionXml(parts).replace(/(<saml:AuthnStatement[\s\S]*?<\/saml:AuthnStatement>)/, '$1$1');
    const assertion = sign(doubled, parts.assertionId, idpKeys);
    await expectRefused(sign(responseXml(parts, assertion), parts.responseId, idpKeys), 'exactly one AuthnStatement');
  });

  it.each([
    ['missing', undefined],
    ['too short', '1912121212'],
    ['wrong check digit', '191212121213'],
    ['letters', '19121212121A'],
    ['with a hyphen', '19121212-1212'],
  ])('personal identity number %s', async (_kind, value) => {
    const parts = await freshParts();
    await expectRefused(
      validResponse(
        { ...parts, attributes: { ...parts.attributes, [ATTRIBUTES.personalIdentityNumber]: value } },
        idpKeys,
      ),
      'personalIdentityNumber',
    );
  });

  it('a comment injected inside the personal identity number after signing: the whole signed value is read', async () => {
    // Canonicalization drops comments, so the signature still verifies. The portal reads the value that was
    // signed, whole: the person logged in is the one the IdP vouched for, never a cut-off number.
    const parts = await freshParts();
    const signed = validResponse(parts, idpKeys);
    const response = await post(signed.replace(`>${PNR}<`, '>1912121<!---->21212<'));
    expect(response.status).toBe(302);
    const person = await testApp
      .db('persons')
      .where({ personal_identity_number: PNR })
      .first<{ id: string } | undefined>('id');
    const rows = await testApp.db('sessions').select('sess');
    expect(rows.some((row: { sess: { personId?: string } }) => row.sess.personId === person?.id)).toBe(true);
  });

  it("a comment that would cut a longer signed value down to another person's number", async () => {
    const parts = await freshParts();
    const signed = validResponse(
      { ...parts, attributes: { ...parts.attributes, [ATTRIBUTES.personalIdentityNumber]: '19121210282499' } },
      idpKeys,
    );
    await expectRefused(
      signed.replace('>19121210282499<', '>191212102824<!---->99<'),
      'personalIdentityNumber invalid',
    );
    expect(await testApp.db('persons').where({ personal_identity_number: '191212102824' }).first()).toBeUndefined();
  });

  it('a non-success status', async () => {
    const parts = await freshParts();
    await expectRefused(
      sign(
        responseXml({ ...parts, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }, ''),
        parts.responseId,
        idpKeys,
      ),
    );
  });

  it('a success status without an assertion', async () => {
    const parts = await freshParts();
    await expectRefused(
      sign(responseXml({ ...parts, statusCode: STATUS_SUCCESS }, ''), parts.responseId, idpKeys),
      'Missing SAML assertion',
    );
  });

  it('a post without a SAMLResponse', async () => {
    const response = await request(testApp.app).post('/saml/acs').type('form').send({ SAMLRequest: 'x' });
    expect(response.status).toBe(400);
  });

  it('XML with a DOCTYPE', async () => {
    const parts = await freshParts();
    await expectRefused(`<!DOCTYPE r [<!ENTITY x "y">]>${validResponse(parts, idpKeys)}`, 'DOCTYPE');
  });
});
