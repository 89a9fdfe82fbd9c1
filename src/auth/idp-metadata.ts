import { readFile } from 'node:fs/promises';
import { BINDING_POST, BINDING_REDIRECT } from './saml-constants';
import { attributes, elements, parseXml, soleText } from './xml';

export interface IdentityProvider {
  entityId: string;
  /** Where login AuthnRequests go (HTTP-Redirect binding; HTTP-POST when the IdP has no Redirect endpoint). */
  ssoUrl: string;
  /** Where sign requests go (HTTP-POST binding: they carry the signer's number, which must stay out of URLs). */
  ssoPostUrl: string | undefined;
  /** Every signing certificate in the metadata (PEM), so a certificate rollover needs no restart of the SP. */
  signingCerts: string[];
}

export class IdpMetadataError extends Error {}

function toPem(body: string): string {
  const lines = body.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Reads an IdP's SAML metadata: its entityID, SSO endpoint and signing certificates. */
export function parseIdpMetadata(xml: string): IdentityProvider {
  const document = parseXml(xml);
  const [descriptor] = elements('//md:EntityDescriptor[md:IDPSSODescriptor]', document);
  if (!descriptor) throw new IdpMetadataError('no EntityDescriptor with an IDPSSODescriptor');
  const entityId = descriptor.getAttribute('entityID');
  if (!entityId) throw new IdpMetadataError('EntityDescriptor without entityID');
  const [idp] = elements('md:IDPSSODescriptor', descriptor);
  if (!idp) throw new IdpMetadataError('no IDPSSODescriptor');
  const ssoPostUrl = attributes(`md:SingleSignOnService[@Binding="${BINDING_POST}"]/@Location`, idp)[0];
  const ssoUrl = attributes(`md:SingleSignOnService[@Binding="${BINDING_REDIRECT}"]/@Location`, idp)[0] ?? ssoPostUrl;
  if (!ssoUrl) throw new IdpMetadataError('no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding');
  const signingCerts = elements(
    'md:KeyDescriptor[not(@use) or @use="signing"]/ds:KeyInfo/ds:X509Data/ds:X509Certificate',
    idp,
  ).map((element) => toPem(soleText(element)));
  if (signingCerts.length === 0) throw new IdpMetadataError('no signing certificate');
  return { entityId, ssoUrl, ssoPostUrl, signingCerts };
}

/** The metadata from a file path or an http(s) URL. */
export async function loadIdpMetadata(source: string): Promise<IdentityProvider> {
  const xml = /^https?:\/\//.test(source)
    ? await fetch(source, { signal: AbortSignal.timeout(10_000) }).then(async (response) => {
        if (!response.ok) throw new IdpMetadataError(`metadata fetch failed with ${response.status}`);
        return response.text();
      })
    : await readFile(source, 'utf8');
  return parseIdpMetadata(xml);
}
