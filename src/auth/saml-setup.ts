import path from 'node:path';
import type { Knex } from 'knex';
import type { i18n } from 'i18next';
import { ValidateInResponseTo, type PassportSamlConfig } from '@node-saml/passport-saml';
import type { Config } from '../config';
import { paths } from '../paths';
import type { DevIdentityProvider } from './dev-idp/identity-provider';
import { loadIdpMetadata, parseIdpMetadata, type IdentityProvider } from './idp-metadata';
import { developmentKeyPair, readKeyPair, type KeyPair } from './keys';
import { PostgresRequestCache } from './request-cache';
import { LOA3, NAMEID_PERSISTENT } from './saml-constants';
import { buildSpMetadata } from './sp-metadata';

export const CLOCK_SKEW_MS = 60_000;
const REQUEST_EXPIRY_MS = 10 * 60_000;

export interface SamlSetup {
  sp: { entityId: string; acsUrl: string; metadataXml: string; signing: KeyPair; encryption: KeyPair | undefined };
  idp: IdentityProvider;
  cache: PostgresRequestCache;
  devIdp: DevIdentityProvider | undefined;
  /** node-saml options shared by login and signing; a sign request adds its extensions. */
  baseOptions: PassportSamlConfig;
}

interface Options {
  config: Config;
  db: Knex;
  now: () => number;
  i18n: i18n;
}

async function spKeys(config: Config): Promise<{ signing: KeyPair; encryption: KeyPair | undefined }> {
  const keyDir = path.resolve(config.dataDir, 'keys');
  const { signing, encryption } = config.saml;
  const signingPair = signing
    ? await readKeyPair(signing.keyPath, signing.certPath)
    : await developmentKeyPair(keyDir, 'sp-signing', 'Behorighetsportalen development signing');
  let encryptionPair: KeyPair | undefined;
  if (encryption === 'none') encryptionPair = undefined;
  else if (encryption) encryptionPair = await readKeyPair(encryption.keyPath, encryption.certPath);
  else if (!config.isProduction) {
    encryptionPair = await developmentKeyPair(keyDir, 'sp-encryption', 'Behorighetsportalen development encryption');
  }
  return { signing: signingPair, encryption: encryptionPair };
}

/**
 * The service provider: its keys and metadata, the identity provider from its metadata (the development e-ID's when
 * none is configured outside production), and the node-saml options of the Sweden Connect profile.
 */
export async function setUpSaml({ config, db, now, i18n }: Options): Promise<SamlSetup> {
  const keys = await spKeys(config);
  const acsUrl = `${config.baseUrl}${paths.saml.acs}`;
  const t = (lang: 'sv' | 'en', key: string) => i18n.t(key, { lng: lang });
  const localised = (key: string) => ({ sv: t('sv', key), en: t('en', key) });
  const metadataXml = buildSpMetadata({
    entityId: config.saml.spEntityId,
    acsUrl,
    signingCert: keys.signing.cert,
    encryptionCert: keys.encryption?.cert,
    displayName: localised('site.name'),
    description: localised('saml.description'),
    organisation: { name: localised('site.agency'), url: config.baseUrl },
    technicalContact: { company: t('sv', 'site.agency'), email: t('sv', 'footer.email') },
  });

  let devIdp: DevIdentityProvider | undefined;
  let idp: IdentityProvider;
  if (config.saml.idpMetadata) {
    idp = await loadIdpMetadata(config.saml.idpMetadata);
  } else {
    // Loaded only here: production never runs the development e-ID (the config refuses DEV_EID there).
    const { createDevIdentityProvider } = await import('./dev-idp/identity-provider');
    devIdp = await createDevIdentityProvider({
      baseUrl: config.baseUrl,
      keyDir: path.resolve(config.dataDir, 'keys'),
      spMetadataXml: () => metadataXml,
      listPersons: () =>
        db('persons')
          // Persons added by an administrator may have only a display name until their first e-ID login.
          .select({
            personalIdentityNumber: 'personal_identity_number',
            givenName: db.raw("coalesce(given_name, split_part(display_name, ' ', 1))"),
            familyName: db.raw(
              "coalesce(family_name, nullif(substr(display_name, strpos(display_name, ' ') + 1), ''), display_name)",
            ),
            displayName: 'display_name',
          })
          .orderBy('display_name')
          // a page to pick from, not the whole register (a million persons at national scale); any number can be typed
          .limit(200),
      now,
    });
    idp = parseIdpMetadata(devIdp.metadataXml);
  }

  const cache = new PostgresRequestCache(db, now, REQUEST_EXPIRY_MS);
  const baseOptions: PassportSamlConfig = {
    entryPoint: idp.ssoUrl,
    issuer: config.saml.spEntityId,
    callbackUrl: acsUrl,
    audience: config.saml.spEntityId,
    idpCert: idp.signingCerts,
    idpIssuer: idp.entityId,
    privateKey: keys.signing.key,
    publicCert: keys.signing.cert,
    ...(keys.encryption ? { decryptionPvk: keys.encryption.key } : {}),
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_EXPIRY_MS,
    cacheProvider: cache,
    identifierFormat: NAMEID_PERSISTENT,
    authnContext: [LOA3],
    racComparison: 'exact',
    authnRequestBinding: 'HTTP-Redirect',
    passReqToCallback: true,
  };
  return {
    sp: { entityId: config.saml.spEntityId, acsUrl, metadataXml, ...keys },
    idp,
    cache,
    devIdp,
    baseOptions,
  };
}

/** Origins the browser posts forms to besides the portal (the IdP, for sign requests). */
export function identityProviderOrigins(saml: SamlSetup): string[] {
  return [saml.idp.ssoUrl, saml.idp.ssoPostUrl]
    .filter((url): url is string => Boolean(url))
    .map((url) => new URL(url).origin);
}
