import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { KeyPair } from '../../src/auth/keys';
import { ATTRIBUTES, BEARER, LOA3, NAMEID_PERSISTENT, NS, STATUS_SUCCESS } from '../../src/auth/saml-constants';

/**
 * Builds SAML responses by hand, for the hostile-response tests: every value can be set or left out, and the XML
 * can be changed before or after it is signed, the way an attacker would.
 */
export interface ResponseParts {
  responseId: string;
  assertionId: string;
  inResponseTo: string | undefined;
  subjectInResponseTo: string | undefined;
  issuer: string;
  assertionIssuer: string;
  destination: string | undefined;
  recipient: string;
  audience: string | undefined;
  notBefore: Date;
  notOnOrAfter: Date;
  authnInstant: Date;
  issueInstant: Date;
  loa: string;
  statusCode: string;
  subStatusCode: string | undefined;
  attributes: Record<string, string | undefined>;
  nameId: string;
}

export const newId = (): string => `_${randomBytes(16).toString('hex')}`;

export function defaultParts(options: {
  requestId: string;
  idpEntityId: string;
  acsUrl: string;
  spEntityId: string;
  personalIdentityNumber: string;
  now?: number;
}): ResponseParts {
  const now = options.now ?? Date.now();
  return {
    responseId: newId(),
    assertionId: newId(),
    inResponseTo: options.requestId,
    subjectInResponseTo: options.requestId,
    issuer: options.idpEntityId,
    assertionIssuer: options.idpEntityId,
    destination: options.acsUrl,
    recipient: options.acsUrl,
    audience: options.spEntityId,
    notBefore: new Date(now - 30_000),
    notOnOrAfter: new Date(now + 5 * 60_000),
    authnInstant: new Date(now),
    issueInstant: new Date(now),
    loa: LOA3,
    statusCode: STATUS_SUCCESS,
    subStatusCode: undefined,
    attributes: {
      [ATTRIBUTES.personalIdentityNumber]: options.personalIdentityNumber,
      [ATTRIBUTES.givenName]: 'Testa',
      [ATTRIBUTES.sn]: 'Testsson',
      [ATTRIBUTES.displayName]: 'Testa Testsson',
    },
    nameId: `pseudonym-${randomBytes(8).toString('hex')}`,
  };
}

const iso = (date: Date) => date.toISOString();
const attr = (name: string, value: string | undefined) => (value === undefined ? '' : ` ${name}="${value}"`);

export function assertionXml(parts: ResponseParts): string {
  const attributes = Object.entries(parts.attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${value}</saml:AttributeValue></saml:Attribute>`,
    )
    .join('');
  const audience =
    parts.audience === undefined
      ? ''
      : `<saml:AudienceRestriction><saml:Audience>${parts.audience}</saml:Audience></saml:AudienceRestriction>`;
  return (
    `<saml:Assertion xmlns:saml="${NS.saml}" ID="${parts.assertionId}" Version="2.0" IssueInstant="${iso(parts.issueInstant)}">` +
    `<saml:Issuer>${parts.assertionIssuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${NAMEID_PERSISTENT}">${parts.nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${BEARER}"><saml:SubjectConfirmationData${attr('InResponseTo', parts.subjectInResponseTo)} NotOnOrAfter="${iso(parts.notOnOrAfter)}" Recipient="${parts.recipient}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(parts.notBefore)}" NotOnOrAfter="${iso(parts.notOnOrAfter)}">${audience}</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(parts.authnInstant)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>${parts.loa}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

export function responseXml(parts: ResponseParts, inner: string): string {
  const subStatus = parts.subStatusCode ? `<samlp:StatusCode Value="${parts.subStatusCode}"/>` : '';
  return (
    `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${parts.responseId}" Version="2.0" IssueInstant="${iso(parts.issueInstant)}"${attr('Destination', parts.destination)}${attr('InResponseTo', parts.inResponseTo)}>` +
    `<saml:Issuer>${parts.issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${parts.statusCode}">${subStatus}</samlp:StatusCode></samlp:Status>` +
    inner +
    `</samlp:Response>`
  );
}

export type Algorithm = 'sha256' | 'sha1';

/** Signs the element with the given ID, placing the signature after its Issuer (where SAML puts it). */
export function sign(xml: string, id: string, keys: KeyPair, algorithm: Algorithm = 'sha256'): string {
  const signature = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm:
      algorithm === 'sha256'
        ? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
        : 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signature.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm:
      algorithm === 'sha256' ? 'http://www.w3.org/2001/04/xmlenc#sha256' : 'http://www.w3.org/2000/09/xmldsig#sha1',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name()='Issuer']`, action: 'after' },
  });
  return signature.getSignedXml();
}

/** A response the way a correct IdP sends it: signed assertion inside a signed response. */
export function validResponse(parts: ResponseParts, keys: KeyPair): string {
  const assertion = sign(assertionXml(parts), parts.assertionId, keys);
  return sign(responseXml(parts, assertion), parts.responseId, keys);
}

export const encode = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
