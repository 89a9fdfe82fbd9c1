import { inflateRawSync } from 'node:zlib';
import type { Agent } from 'supertest';
import { parseXml } from '../../src/auth/xml';

export interface SentRequest {
  id: string;
  issueInstant: string;
  /** Path and query of the identity provider's SSO endpoint, with the signed request. */
  ssoPath: string;
  xml: string;
}

/** Starts a login the way a browser does and reads the AuthnRequest the portal sent to the IdP. */
export async function startLogin(agent: Agent): Promise<SentRequest> {
  const response = await agent.get('/logga-in').expect(302);
  const location = new URL(String(response.headers.location));
  const encoded = location.searchParams.get('SAMLRequest');
  if (!encoded) throw new Error('no SAMLRequest in the redirect');
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const request = parseXml(xml).documentElement;
  const id = request.getAttribute('ID');
  const issueInstant = request.getAttribute('IssueInstant');
  if (!id || !issueInstant) throw new Error('AuthnRequest without ID or IssueInstant');
  return { id, issueInstant, ssoPath: `${location.pathname}${location.search}`, xml };
}
