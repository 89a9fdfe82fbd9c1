import { createHash } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { KeyPair } from '../../src/auth/keys';
import { ATTRIBUTES } from '../../src/auth/saml-constants';
import type { PostToIdp } from '../../src/auth/signing';
import { parseXml } from '../../src/auth/xml';
import { loadDemoData } from '../../src/demo/seed';
import { buildTestApp, type TestApp } from '../helpers/app';
import { answerAtIdp, local, loginWithEid } from '../helpers/eid';
import { developmentKeys } from '../helpers/keys';
import { defaultParts, encode, validResponse } from '../helpers/saml-forge';

const ORDERER = '191212102824';
const OTHER = '191212121212';
const MESSAGE =
  'Jag, Anna Bergström, bekräftar att jag är behörig beställare för Myndigheten för kulturarvsdata. Formulärets kontrollsumma: 3f2a…';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const digestOf = (text: string, algorithm = 'sha256') => createHash(algorithm).update(text, 'utf8').digest('base64');

let testApp: TestApp;
let personId: string;
let idpKeys: KeyPair;

beforeAll(async () => {
  testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none' });
  await loadDemoData(testApp.db);
  const person = await testApp.db('persons').where({ personal_identity_number: ORDERER }).first<{ id: string }>('id');
  personId = person.id;
  idpKeys = await developmentKeys(inject('dataDir'), 'dev-idp-signing');
});

function startSignature(message = MESSAGE): Promise<PostToIdp> {
  return testApp.services.signing.start({
    purpose: 'test-form',
    subjectId: 'subject-1',
    message,
    expectedPersonalIdentityNumber: ORDERER,
    requestedByPersonId: personId,
    returnPath: '/oversikt',
  });
}

function requestOf(post: PostToIdp): Document {
  return parseXml(Buffer.from(post.fields.SAMLRequest ?? '', 'base64').toString('utf8'));
}

describe('the sign request', () => {
  it('goes by POST (the number stays out of URLs), signed, with ForceAuthn, the message and the signer pinned', async () => {
    const post = await startSignature();
    expect(local(post.action)).toBe('/dev-eid/sso');
    const authnRequest = requestOf(post).documentElement;
    expect(authnRequest.getAttribute('ForceAuthn')).toBe('true');
    const xml = Buffer.from(post.fields.SAMLRequest ?? '', 'base64').toString('utf8');
    expect(xml).toMatch(/SignatureMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
    const message = /<csig:Message>([^<]+)<\/csig:Message>/.exec(xml)?.[1] ?? '';
    expect(Buffer.from(message, 'base64').toString('utf8')).toBe(MESSAGE);
    expect(xml).toContain(`Name="${ATTRIBUTES.personalIdentityNumber}">${ORDERER}<`);
    expect(xml).toContain('MustShow="true"');
  });
});

describe('signing through the development e-ID', () => {
  it('shows the message, and returns evidence whose digest is that of the exact text', async () => {
    const agent = request.agent(testApp.app);
    await loginWithEid(agent, ORDERER);
    const post = await startSignature();
    await agent.post(local(post.action)).type('form').send(post.fields).expect(302);
    const { page, response } = await answerAtIdp(agent, { personalIdentityNumber: ORDERER });
    expect(page.text()).toContain(MESSAGE);
    expect(response.status).toBe(302);
    const location = new URL(String(response.headers.location), 'http://localhost:3000');
    expect(location.pathname).toBe('/oversikt');
    const requestId = location.searchParams.get('signature') ?? '';
    const result = await testApp.services.signing.result(requestId, personId);
    expect(result?.outcome).toBe('signed');
    if (result?.outcome !== 'signed') return;
    expect(result.evidence.signMessageDigest).toBe(`${SHA256};${digestOf(MESSAGE)}`);
    expect(result.evidence.assertionXml).toContain(ATTRIBUTES.signMessageDigest);
    expect(result.purpose).toBe('test-form');
    expect(await testApp.services.signing.result(requestId, '00000000-0000-0000-0000-000000000000')).toBeNull();
  });
});

describe('signatures checked on return', () => {
  async function answer(attributes: (parts: ReturnType<typeof defaultParts>) => Record<string, string | undefined>) {
    const post = await startSignature();
    const requestId = requestOf(post).documentElement.getAttribute('ID') ?? '';
    const parts = defaultParts({
      requestId,
      idpEntityId: 'http://localhost:3000/dev-eid',
      acsUrl: 'http://localhost:3000/saml/acs',
      spEntityId: 'http://localhost:3000/saml/metadata',
      personalIdentityNumber: ORDERER,
    });
    const response = await request(testApp.app)
      .post('/saml/acs')
      .type('form')
      .send({ SAMLResponse: encode(validResponse({ ...parts, attributes: attributes(parts) }, idpKeys)) });
    expect(response.status).toBe(302);
    expect(response.headers['set-cookie']).toBeUndefined();
    return testApp.services.signing.result(requestId, personId);
  }

  it('accepts a correct digest', async () => {
    const result = await answer((parts) => ({
      ...parts.attributes,
      [ATTRIBUTES.signMessageDigest]: `${SHA256};${digestOf(MESSAGE)}`,
    }));
    expect(result?.outcome).toBe('signed');
  });

  it.each([
    ['a missing digest', undefined, ORDERER, 'no signMessageDigest'],
    ['a digest of another text', `${SHA256};${digestOf('Något annat')}`, ORDERER, 'digest of another text'],
    [
      'a digest with another algorithm',
      `http://www.w3.org/2000/09/xmldsig#sha1;${digestOf(MESSAGE, 'sha1')}`,
      ORDERER,
      'digest algorithm not accepted',
    ],
    ['a different person', `${SHA256};${digestOf(MESSAGE)}`, OTHER, 'signed by another person'],
  ])('refuses %s', async (_case, digest, signer, reason) => {
    const result = await answer((parts) => ({
      ...parts.attributes,
      [ATTRIBUTES.personalIdentityNumber]: signer,
      [ATTRIBUTES.signMessageDigest]: digest,
    }));
    expect(result).toEqual({ outcome: 'refused', purpose: 'test-form', subjectId: 'subject-1', reason });
  });

  it('logs no one in with a sign response', async () => {
    const before = (await testApp.db('sessions').select('sess')).length;
    await answer((parts) => ({
      ...parts.attributes,
      [ATTRIBUTES.signMessageDigest]: `${SHA256};${digestOf(MESSAGE)}`,
    }));
    expect((await testApp.db('sessions').select('sess')).length).toBe(before);
  });
});
