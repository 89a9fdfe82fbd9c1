import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { ATTRIBUTES, BEARER, LOA3, SHA1_ALGORITHMS } from './saml-constants';
import { attributes, elements, parseXml, soleText } from './xml';

/** A response that passed node-saml but fails a rule of the Sweden Connect profile. The reason is for the log. */
export class ResponseRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ResponseRejected';
  }
}

export interface Expected {
  idpEntityId: string;
  acsUrl: string;
  /** When the AuthnRequest was sent (ms). */
  requestInstant: number;
  now: number;
  clockSkewMs: number;
}

export interface VerifiedIdentity {
  assertionId: string;
  inResponseTo: string;
  personalIdentityNumber: string;
  givenName: string;
  familyName: string;
  displayName: string;
  authnInstant: Date;
  /** Present only when the IdP signed a sign message. */
  signMessageDigest: string | undefined;
  /** The verified (decrypted) assertion, kept as evidence of a signature. */
  assertionXml: string;
}

function exactlyOne(found: Element[], what: string): Element {
  const [first] = found;
  if (found.length !== 1 || !first) throw new ResponseRejected(`expected exactly one ${what}, found ${found.length}`);
  return first;
}

function refuseSha1(document: Document, where: string): void {
  // Only the signatures' algorithms: RSA-OAEP key transport names SHA-1 as its mask digest, which is not a signature.
  const used = attributes(
    '//ds:Signature/ds:SignedInfo/ds:SignatureMethod/@Algorithm | //ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestMethod/@Algorithm',
    document,
  );
  if (used.some((algorithm) => (SHA1_ALGORITHMS as readonly string[]).includes(algorithm))) {
    throw new ResponseRejected(`SHA-1 used in the ${where} signature`);
  }
}

/** A single-valued string attribute of the AttributeStatement, read in full (comments refused). */
function attribute(statement: Element, name: string): string | undefined {
  const found = elements(`saml:Attribute[@Name="${name}"]`, statement);
  if (found.length === 0) return undefined;
  const values = elements('saml:AttributeValue', exactlyOne(found, `attribute ${name}`));
  try {
    return soleText(exactlyOne(values, `value of ${name}`));
  } catch (error) {
    throw new ResponseRejected(`attribute ${name}: ${(error as Error).message}`);
  }
}

function requiredAttribute(statement: Element, name: string, label: string): string {
  const value = attribute(statement, name);
  if (!value) throw new ResponseRejected(`attribute ${label} missing or empty`);
  return value;
}

function checkResponse(responseXml: string, expected: Expected): { inResponseTo: string } {
  const document = parseXml(responseXml);
  const response = document.documentElement;
  if (response.localName !== 'Response') throw new ResponseRejected('not a Response');
  if (response.getAttribute('Destination') !== expected.acsUrl) throw new ResponseRejected('wrong Destination');
  const issuers = elements('saml:Issuer', response);
  if (issuers.some((issuer) => soleText(issuer) !== expected.idpEntityId)) {
    throw new ResponseRejected('wrong Issuer on the Response');
  }
  const inResponseTo = response.getAttribute('InResponseTo');
  if (!inResponseTo) throw new ResponseRejected('Response without InResponseTo');
  refuseSha1(document, 'response');
  return { inResponseTo };
}

function checkSubject(assertion: Element, inResponseTo: string, expected: Expected): void {
  const confirmations = elements('saml:Subject/saml:SubjectConfirmation', assertion);
  if (confirmations.length === 0) throw new ResponseRejected('no SubjectConfirmation');
  for (const confirmation of confirmations) {
    if (confirmation.getAttribute('Method') !== BEARER) throw new ResponseRejected('SubjectConfirmation not bearer');
    const data = exactlyOne(elements('saml:SubjectConfirmationData', confirmation), 'SubjectConfirmationData');
    if (data.getAttribute('Recipient') !== expected.acsUrl) throw new ResponseRejected('wrong Recipient');
    if (data.getAttribute('InResponseTo') !== inResponseTo)
      throw new ResponseRejected('SubjectConfirmation InResponseTo');
    if (!data.getAttribute('NotOnOrAfter')) throw new ResponseRejected('SubjectConfirmation without NotOnOrAfter');
  }
}

function checkAuthnStatement(assertion: Element, expected: Expected): Date {
  const statement = exactlyOne(elements('saml:AuthnStatement', assertion), 'AuthnStatement');
  const classRefs = elements('saml:AuthnContext/saml:AuthnContextClassRef', statement);
  if (soleText(exactlyOne(classRefs, 'AuthnContextClassRef')) !== LOA3) throw new ResponseRejected('LoA is not loa3');
  const instant = Date.parse(statement.getAttribute('AuthnInstant') ?? '');
  if (Number.isNaN(instant)) throw new ResponseRejected('AuthnInstant missing');
  if (instant < expected.requestInstant - expected.clockSkewMs)
    throw new ResponseRejected('AuthnInstant before the request');
  if (instant > expected.now + expected.clockSkewMs) throw new ResponseRejected('AuthnInstant in the future');
  return new Date(instant);
}

/**
 * The checks of the Sweden Connect profile (TF-02 section 6) that node-saml does not make. Run on the XML that node-saml
 * verified: the signed Response (Destination, Issuer, InResponseTo) and the signed, decrypted Assertion.
 */
export function checkVerifiedResponse(responseXml: string, assertionXml: string, expected: Expected): VerifiedIdentity {
  const { inResponseTo } = checkResponse(responseXml, expected);
  const assertionDocument = parseXml(assertionXml);
  const assertion = assertionDocument.documentElement;
  if (assertion.localName !== 'Assertion') throw new ResponseRejected('not an Assertion');
  refuseSha1(assertionDocument, 'assertion');
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new ResponseRejected('Assertion without ID');
  const issuer = soleText(exactlyOne(elements('saml:Issuer', assertion), 'assertion Issuer'));
  if (issuer !== expected.idpEntityId) throw new ResponseRejected('wrong Issuer on the Assertion');
  checkSubject(assertion, inResponseTo, expected);
  const authnInstant = checkAuthnStatement(assertion, expected);

  const statement = exactlyOne(elements('saml:AttributeStatement', assertion), 'AttributeStatement');
  const rawNumber = requiredAttribute(statement, ATTRIBUTES.personalIdentityNumber, 'personalIdentityNumber');
  const personalIdentityNumber = /^\d{12}$/.test(rawNumber)
    ? normalisePersonalIdentityNumber(rawNumber, new Date(expected.now))
    : null;
  if (!personalIdentityNumber) throw new ResponseRejected('personalIdentityNumber invalid');
  const givenName = requiredAttribute(statement, ATTRIBUTES.givenName, 'givenName');
  const familyName = requiredAttribute(statement, ATTRIBUTES.sn, 'sn');
  const displayName = attribute(statement, ATTRIBUTES.displayName) ?? `${givenName} ${familyName}`;
  return {
    assertionId,
    inResponseTo,
    personalIdentityNumber,
    givenName,
    familyName,
    displayName,
    authnInstant,
    signMessageDigest: attribute(statement, ATTRIBUTES.signMessageDigest),
    assertionXml,
  };
}
