import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { elements, parseXml, soleText } from '../../src/auth/xml';
import { buildTestApp, type TestApp } from '../helpers/app';
import { startLogin } from '../helpers/eid-requests';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await buildTestApp();
});

describe('the login AuthnRequest', () => {
  it('is signed with RSA-SHA256 by the Redirect binding and goes to the IdP from the metadata', async () => {
    const response = await request(testApp.app).get('/logga-in').expect(302);
    const location = new URL(String(response.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:3000/dev-eid/sso');
    expect(location.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(location.searchParams.get('Signature')).toBeTruthy();
  });

  it('asks for exactly LoA3, a persistent NameID, and the answer at the ACS by POST', async () => {
    const sent = await startLogin(request.agent(testApp.app));
    const document = parseXml(sent.xml);
    const authnRequest = document.documentElement;
    expect(authnRequest.getAttribute('AssertionConsumerServiceURL')).toBe('http://localhost:3000/saml/acs');
    expect(authnRequest.getAttribute('ProtocolBinding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(authnRequest.hasAttribute('ForceAuthn')).toBe(false);
    const [context] = elements('samlp:RequestedAuthnContext', authnRequest);
    expect(context?.getAttribute('Comparison')).toBe('exact');
    expect(elements('samlp:RequestedAuthnContext/saml:AuthnContextClassRef', authnRequest).map(soleText)).toEqual([
      'http://id.elegnamnden.se/loa/1.0/loa3',
    ]);
    const [policy] = elements('samlp:NameIDPolicy', authnRequest);
    expect(policy?.getAttribute('Format')).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(elements('saml:Issuer', authnRequest).map(soleText)).toEqual(['http://localhost:3000/saml/metadata']);
  });

  it('is remembered in the database for InResponseTo, shared by every app instance', async () => {
    const sent = await startLogin(request.agent(testApp.app));
    const row = await testApp
      .db('saml_request_ids')
      .where({ id: sent.id })
      .first<{ value: string } | undefined>('value');
    expect(row?.value).toBe(sent.issueInstant);
  });
});
