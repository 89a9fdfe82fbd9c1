import * as validator from '@authenio/samlify-node-xmllint';
import { IdentityProvider, ServiceProvider, setSchemaValidator } from 'samlify';
import type { IdpContext } from './types';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const AES256_GCM = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const RSA_OAEP_MGF1P = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
/** Data encryption algorithms samlify's xml-encryption supports, best first. */
const DATA_ALGORITHMS = [
  AES256_GCM,
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
];

export interface Encryption {
  dataEncryptionAlgorithm: string;
  keyEncryptionAlgorithm: string;
}

type IdpSettings = Parameters<typeof IdentityProvider>[0];

/** samlify refuses to parse anything until a schema validator is set; this one really validates. */
export function useSchemaValidation(): void {
  setSchemaValidator(validator);
}

/**
 * The SP's first listed data algorithm that samlify supports (AES-256-GCM when it lists none); the key is always
 * wrapped with RSA-OAEP (MGF1P), the only OAEP variant samlify's xml-encryption offers.
 */
export function chooseEncryption(spEncryptionMethods: string[]): Encryption {
  const data = spEncryptionMethods.find((method) => DATA_ALGORITHMS.includes(method)) ?? AES256_GCM;
  return { dataEncryptionAlgorithm: data, keyEncryptionAlgorithm: RSA_OAEP_MGF1P };
}

export function idpEntity(context: IdpContext, encryption?: Encryption): ReturnType<typeof IdentityProvider> {
  // samlify reads these two settings at run time but leaves them out of its IdentityProviderSettings type.
  const settings: IdpSettings & Partial<Encryption> = {
    metadata: context.metadataXml,
    privateKey: context.signingKeyPair.key,
    requestSignatureAlgorithm: RSA_SHA256,
    isAssertionEncrypted: encryption !== undefined,
    ...encryption,
  };
  return IdentityProvider(settings);
}

/** The SP as samlify sees it: `wantMessageSigned` makes it sign the whole Response, as node-saml wants. */
export function spEntity(metadataXml: string): ReturnType<typeof ServiceProvider> {
  return ServiceProvider({ metadata: metadataXml, wantMessageSigned: true });
}
