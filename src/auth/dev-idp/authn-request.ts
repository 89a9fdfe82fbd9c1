import { ATTRIBUTES, BINDING_POST, LOA3 } from '../saml-constants';
import { RefusedRequest } from './refusal';
import { readRedirectQuery } from './redirect-query';
import { idpEntity, spEntity } from './samlify';
import { readServiceProvider, type ServiceProviderInfo } from './service-provider';
import type { IdpContext, PendingRequest, SignMessage } from './types';
import { elements, optionalAttribute, parseXml, textOf } from './xml';

/** Request signature algorithms accepted: SHA-256 and up (SHA-1 is refused, as Sweden Connect IdPs do). */
const ACCEPTED_SIG_ALGS = [
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
];
const SIGSERVICE_CATEGORY = 'http://id.elegnamnden.se/st/1.0/sigservice';
const MIME_TYPES: readonly SignMessage['mimeType'][] = ['text', 'text/markdown'];

const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

/** Checks the HTTP-Redirect signature with samlify, against the signing certificate in the SP's metadata. */
async function verifiedRequestXml(rawQuery: string, context: IdpContext, spMetadataXml: string): Promise<string> {
  const { values, octetString } = readRedirectQuery(rawQuery);
  if (!values.SAMLRequest) throw new RefusedRequest('malformed', 'no SAMLRequest');
  if (!values.Signature || !values.SigAlg) throw new RefusedRequest('unsigned');
  if (!ACCEPTED_SIG_ALGS.includes(values.SigAlg)) throw new RefusedRequest('weakAlgorithm', values.SigAlg);
  try {
    const result = await idpEntity(context).parseLoginRequest(spEntity(spMetadataXml), 'redirect', {
      query: values,
      octetString,
    });
    return result.samlContent;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RefusedRequest(message === 'ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION' ? 'badSignature' : 'malformed');
  }
}

/** Checks the signature embedded in an HTTP-POST AuthnRequest with samlify, against the SP metadata's certificate. */
async function verifiedPostedRequestXml(
  body: Record<string, unknown>,
  context: IdpContext,
  spMetadataXml: string,
): Promise<string> {
  const encoded = body.SAMLRequest;
  if (typeof encoded !== 'string' || !encoded) throw new RefusedRequest('malformed', 'no SAMLRequest');
  const xml = Buffer.from(encoded, 'base64').toString('utf8');
  let algorithms: string[];
  try {
    algorithms = elements('/samlp:AuthnRequest/ds:Signature/ds:SignedInfo/ds:SignatureMethod', parseXml(xml)).map(
      (method) => optionalAttribute(method, 'Algorithm') ?? '',
    );
  } catch {
    throw new RefusedRequest('malformed', 'not XML');
  }
  const [algorithm] = algorithms;
  if (!algorithm) throw new RefusedRequest('unsigned');
  if (!ACCEPTED_SIG_ALGS.includes(algorithm)) throw new RefusedRequest('weakAlgorithm', algorithm);
  try {
    const result = await idpEntity(context).parseLoginRequest(spEntity(spMetadataXml), 'post', { body });
    return result.samlContent;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RefusedRequest(message === 'ERR_FAILED_MESSAGE_SIGNATURE_VERIFICATION' ? 'badSignature' : 'malformed');
  }
}

function readSignMessage(extensions: Element): SignMessage | undefined {
  const signMessages = elements('csig:SignMessage', extensions);
  const signMessage = signMessages[0];
  if (!signMessage) return undefined;
  const messages = elements('csig:Message', signMessage);
  const message = messages[0];
  // An EncryptedMessage needs the IdP's encryption key, which this IdP does not publish.
  if (signMessages.length > 1 || messages.length !== 1 || !message) {
    throw new RefusedRequest('unsupportedSignMessage', 'one clear-text csig:Message needed');
  }
  const base64 = textOf(message).replace(/\s+/g, '');
  let text: string;
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new Error('not base64');
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    throw new RefusedRequest('unsupportedSignMessage', 'the message is not base64 of UTF-8 text');
  }
  const mimeType = optionalAttribute(signMessage, 'MimeType') ?? 'text';
  const knownMimeType = MIME_TYPES.find((known) => known === mimeType);
  if (!text.trim() || !knownMimeType) throw new RefusedRequest('unsupportedSignMessage', `MimeType ${mimeType}`);
  return { text, mimeType: knownMimeType, mustShow: isTrue(optionalAttribute(signMessage, 'MustShow')) };
}

function readPrincipal(extensions: Element): string | undefined {
  const values = elements(
    `psc:PrincipalSelection/psc:MatchValue[@Name='${ATTRIBUTES.personalIdentityNumber}']`,
    extensions,
  ).map(textOf);
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || !value || !/^[0-9]{12}$/.test(value)) throw new RefusedRequest('badPrincipalSelection');
  return value;
}

/** The checks a Sweden Connect IdP makes on a verified AuthnRequest, and what it keeps of it. */
function readAuthnRequest(
  xml: string,
  context: IdpContext,
  sp: ServiceProviderInfo,
): Omit<PendingRequest, 'relayState' | 'receivedAt'> {
  let request: Element | undefined;
  try {
    request = elements('/samlp:AuthnRequest', parseXml(xml))[0];
  } catch {
    request = undefined;
  }
  const id = request && optionalAttribute(request, 'ID');
  if (!request || !id) throw new RefusedRequest('malformed', 'not an AuthnRequest');
  const issuer = elements('saml:Issuer', request).map(textOf)[0];
  if (issuer !== sp.entityId) throw new RefusedRequest('unknownServiceProvider', issuer);
  const destination = optionalAttribute(request, 'Destination');
  if (destination !== undefined && destination !== context.ssoUrl) throw new RefusedRequest('wrongDestination');
  const acsUrl = optionalAttribute(request, 'AssertionConsumerServiceURL');
  if (acsUrl !== undefined && acsUrl !== sp.acsUrl) throw new RefusedRequest('wrongAcs', acsUrl);
  const binding = optionalAttribute(request, 'ProtocolBinding');
  if (binding !== undefined && binding !== BINDING_POST) throw new RefusedRequest('wrongBinding', binding);
  const loas = elements('samlp:RequestedAuthnContext/saml:AuthnContextClassRef', request).map(textOf);
  if (!loas.includes(LOA3)) throw new RefusedRequest('missingLoa');

  const forceAuthn = isTrue(optionalAttribute(request, 'ForceAuthn'));
  const extensions = elements('samlp:Extensions', request)[0];
  const signMessage = extensions && readSignMessage(extensions);
  const principal = extensions && readPrincipal(extensions);
  if (signMessage && !forceAuthn) throw new RefusedRequest('signMessageNeedsForceAuthn');
  if (signMessage && !sp.entityCategories.includes(SIGSERVICE_CATEGORY)) {
    throw new RefusedRequest('signMessageNeedsSigservice');
  }
  return {
    id,
    spEntityId: sp.entityId,
    acsUrl: sp.acsUrl,
    forceAuthn,
    ...(signMessage && { signMessage }),
    ...(principal && { principal }),
  };
}

/**
 * Verifies and reads an HTTP-Redirect AuthnRequest from the raw query string; throws RefusedRequest with the
 * reason when the request is unsigned, signed with SHA-1 or by another key, or asks for what this IdP cannot give.
 */
export async function receiveAuthnRequest(rawQuery: string, context: IdpContext): Promise<PendingRequest> {
  const spMetadataXml = context.spMetadataXml();
  const sp = readServiceProvider(spMetadataXml);
  const xml = await verifiedRequestXml(rawQuery, context, spMetadataXml);
  const relayState = readRedirectQuery(rawQuery).values.RelayState;
  return {
    ...readAuthnRequest(xml, context, sp),
    ...(relayState !== undefined && { relayState }),
    receivedAt: context.now(),
  };
}

/** Verifies and reads an HTTP-POST AuthnRequest (how sign requests come: they carry the signer's number). */
export async function receivePostedAuthnRequest(
  body: Record<string, unknown>,
  context: IdpContext,
): Promise<PendingRequest> {
  const spMetadataXml = context.spMetadataXml();
  const sp = readServiceProvider(spMetadataXml);
  const xml = await verifiedPostedRequestXml(body, context, spMetadataXml);
  const relayState = typeof body.RelayState === 'string' && body.RelayState ? body.RelayState : undefined;
  return {
    ...readAuthnRequest(xml, context, sp),
    ...(relayState !== undefined && { relayState }),
    receivedAt: context.now(),
  };
}
