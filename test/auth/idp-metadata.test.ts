import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IdpMetadataError, loadIdpMetadata, parseIdpMetadata } from '../../src/auth/idp-metadata';
import { certificateBody } from '../../src/auth/keys';
import { developmentKeys } from '../helpers/keys';

let current: string;
let next: string;

function metadata(certs: string[], bindings = ['HTTP-Redirect', 'HTTP-POST']): string {
  const keys = certs
    .map(
      (cert) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  const services = bindings
    .map(
      (binding) =>
        `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="https://idp.example.se/sso/${binding}"/>`,
    )
    .join('');
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.se"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>${services}</md:IDPSSODescriptor></md:EntityDescriptor>`;
}

beforeAll(async () => {
  current = (await developmentKeys(inject('dataDir'), 'dev-idp-signing')).cert;
  next = (await developmentKeys(inject('dataDir'), 'attacker')).cert;
});

describe('IdP metadata', () => {
  it('reads the entityID, both SSO endpoints and every signing certificate (for rollover), not the encryption one', () => {
    const idp = parseIdpMetadata(metadata([current, next]));
    expect(idp.entityId).toBe('https://idp.example.se');
    expect(idp.ssoUrl).toBe('https://idp.example.se/sso/HTTP-Redirect');
    expect(idp.ssoPostUrl).toBe('https://idp.example.se/sso/HTTP-POST');
    expect(idp.signingCerts.map(certificateBody)).toEqual([certificateBody(current), certificateBody(next)]);
  });

  it('refuses metadata without a signing certificate or an SSO endpoint, and anything with a DOCTYPE', () => {
    expect(() => parseIdpMetadata(metadata([]))).toThrow(IdpMetadataError);
    expect(() => parseIdpMetadata(metadata([current], []))).toThrow(IdpMetadataError);
    expect(() => parseIdpMetadata(`<!DOCTYPE x>${metadata([current])}`)).toThrow(/DOCTYPE/);
  });

  describe('loading', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/metadata') res.end(metadata([current]));
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => {
        server.listen(0, '127.0.0.1', resolve);
      });
      const address = server.address();
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    );

    it('from a file', async () => {
      const file = path.join(await mkdtemp(path.join(tmpdir(), 'idp-')), 'metadata.xml');
      await writeFile(file, metadata([current]));
      expect((await loadIdpMetadata(file)).entityId).toBe('https://idp.example.se');
    });

    it('from a URL, and fails clearly when the URL does not answer with metadata', async () => {
      expect((await loadIdpMetadata(`${url}/metadata`)).entityId).toBe('https://idp.example.se');
      await expect(loadIdpMetadata(`${url}/missing`)).rejects.toThrow(/404/);
    });
  });
});
