import { createHash, randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { CANCEL_STATUS, LOA3, SHA256_DIGEST, STATUS_SUCCESS } from '../saml-constants';
import { dateOfBirth, pseudonym } from './person';
import {
  ERROR_RESPONSE_TEMPLATE,
  attributePlaceholder,
  fillTemplate,
  loginResponseTemplate,
  type AttributeName,
} from './response-template';
import { chooseEncryption, idpEntity, spEntity } from './samlify';
import { readServiceProvider, type ServiceProviderInfo } from './service-provider';
import type { IdpContext, IssueResponseInput, ResponseOverrides, ResponseRequest, TestPerson } from './types';

const RESPONDER_STATUS = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const VALIDITY_MS = 5 * 60_000;
const CLOCK_SKEW_MS = 60_000;

const LOGIN_ATTRIBUTES: readonly AttributeName[] = [
  'personalIdentityNumber',
  'givenName',
  'sn',
  'displayName',
  'dateOfBirth',
];
const SIGN_ATTRIBUTES: readonly AttributeName[] = [...LOGIN_ATTRIBUTES, 'signMessageDigest', 'transactionIdentifier'];

const newId = (): string => `_${randomUUID()}`;
const instant = (ms: number): string => new Date(ms).toISOString();

/** signMessageDigest (TF-09 3.1.2): the digest algorithm, a semicolon, base64 of SHA-256 over the UTF-8 text. */
export function signMessageDigest(text: string): string {
  return `${SHA256_DIGEST};${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function attributeValues(person: TestPerson, signMessage: string | undefined): Record<string, string> {
  const values: Partial<Record<AttributeName, string>> = {
    personalIdentityNumber: person.personalIdentityNumber,
    givenName: person.givenName,
    sn: person.familyName,
    displayName: person.displayName,
    dateOfBirth: dateOfBirth(person.personalIdentityNumber),
  };
  if (signMessage !== undefined) {
    values.signMessageDigest = signMessageDigest(signMessage);
    values.transactionIdentifier = randomUUID();
  }
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [attributePlaceholder(name as AttributeName), value]),
  );
}

async function successResponse(
  context: IdpContext,
  spMetadataXml: string,
  sp: ServiceProviderInfo,
  input: { request: ResponseRequest; person: TestPerson; overrides?: ResponseOverrides },
): Promise<string> {
  const { request, person, overrides = {} } = input;
  const now = context.now();
  const responseId = newId();
  const values: Record<string, string> = {
    ID: responseId,
    AssertionID: newId(),
    SessionIndex: newId(),
    IssueInstant: instant(now),
    Issuer: overrides.issuer ?? context.entityId,
    Destination: overrides.destination ?? request.acsUrl,
    InResponseTo: request.id,
    StatusCode: STATUS_SUCCESS,
    NameID: pseudonym(context.nameIdSecret, sp.entityId, person.personalIdentityNumber),
    SubjectRecipient: overrides.recipient ?? request.acsUrl,
    SubjectConfirmationDataNotOnOrAfter: instant(now + VALIDITY_MS),
    ConditionsNotBefore: instant(now - CLOCK_SKEW_MS),
    ConditionsNotOnOrAfter: instant(now + VALIDITY_MS),
    Audience: overrides.audience ?? sp.entityId,
    AuthnInstant: instant(overrides.authnInstant ?? now),
    AuthnContextClassRef: overrides.authnContextClassRef ?? LOA3,
    ...attributeValues(person, request.signMessage),
  };
  const template = loginResponseTemplate(request.signMessage === undefined ? LOGIN_ATTRIBUTES : SIGN_ATTRIBUTES);
  const encryption = sp.wantsEncryption ? chooseEncryption(sp.encryptionMethods) : undefined;
  // samlify signs the assertion (the SP metadata wants it), encrypts it, then signs the Response around it.
  const response = await idpEntity(context, encryption).createLoginResponse(
    spEntity(spMetadataXml),
    { extract: { request: { id: request.id } } },
    'post',
    {},
    {
      customTagReplacement: () => ({ id: responseId, context: fillTemplate(template, values) }),
      encryptThenSign: true,
    },
  );
  return response.context;
}

/** A signed Response without assertion; samlify's login response always signs an assertion, so xml-crypto signs. */
function cancelResponse(
  context: IdpContext,
  input: { request: ResponseRequest; overrides?: Pick<ResponseOverrides, 'issuer' | 'destination'> },
): string {
  const xml = fillTemplate(ERROR_RESPONSE_TEMPLATE, {
    ID: newId(),
    IssueInstant: instant(context.now()),
    Destination: input.overrides?.destination ?? input.request.acsUrl,
    InResponseTo: input.request.id,
    Issuer: input.overrides?.issuer ?? context.entityId,
    StatusCode: RESPONDER_STATUS,
    SubStatusCode: CANCEL_STATUS,
    StatusMessage: 'The user cancelled the operation',
  });
  const signature = new SignedXml({
    privateKey: context.signingKeyPair.key,
    publicCert: context.signingKeyPair.cert,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signature.addReference({
    xpath: "/*[local-name(.)='Response']",
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: SHA256_DIGEST,
  });
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return Buffer.from(signature.getSignedXml(), 'utf8').toString('base64');
}

/**
 * A signed Response for the SP in the metadata, base64 as the SAMLResponse form field carries it: for a person,
 * with a signed (and, when the SP has an encryption key, encrypted) assertion; or the user's cancel.
 */
export async function issueResponse(context: IdpContext, input: IssueResponseInput): Promise<string> {
  if (input.cancel) return cancelResponse(context, input);
  const spMetadataXml = context.spMetadataXml();
  return successResponse(context, spMetadataXml, readServiceProvider(spMetadataXml), input);
}
