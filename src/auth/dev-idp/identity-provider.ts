import { createHash } from 'node:crypto';
import { developmentKeyPair } from '../keys';
import { paths } from '../../paths';
import { buildIdpMetadata } from './idp-metadata';
import { issueResponse } from './response';
import { devEidRouter } from './routes';
import { useSchemaValidation } from './samlify';
import type { DevIdentityProvider, DevIdentityProviderOptions, IdpContext, IssueResponseInput } from './types';

export { signMessageDigest } from './response';
export type {
  DevIdentityProvider,
  DevIdentityProviderOptions,
  IssueResponseInput,
  ResponseOverrides,
  ResponseRequest,
  TestPerson,
} from './types';

/**
 * The development e-ID: an in-process SAML IdP shaped like a Sweden Connect IdP, for development and tests only.
 * The SP reaches it through its metadata and the standard bindings alone.
 */
export async function createDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  useSchemaValidation();
  const entityId = `${options.baseUrl}${paths.devEid.root}`;
  const ssoUrl = `${options.baseUrl}${paths.devEid.sso}`;
  const signingKeyPair = await developmentKeyPair(
    options.keyDir,
    'dev-idp-signing',
    'Development e-ID, not a real e-ID',
  );
  const context: IdpContext = {
    entityId,
    ssoUrl,
    metadataXml: buildIdpMetadata({ entityId, ssoUrl, signingCert: signingKeyPair.cert }),
    signingKeyPair,
    nameIdSecret: createHash('sha256').update('development e-ID NameID\n').update(signingKeyPair.key).digest(),
    spMetadataXml: options.spMetadataXml,
    now: options.now,
  };
  const issue = (input: IssueResponseInput): Promise<string> => issueResponse(context, input);
  return {
    entityId,
    metadataXml: context.metadataXml,
    signingKeyPair,
    router: devEidRouter(context, { listPersons: options.listPersons, issueResponse: issue, now: options.now }),
    issueResponse: issue,
  };
}
