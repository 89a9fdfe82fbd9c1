import { ATTRIBUTES, ATTRNAME_URI, BEARER, NAMEID_PERSISTENT, NS } from '../saml-constants';
import { escapeXml } from './xml';

export type AttributeName = keyof typeof ATTRIBUTES;

const ENTITY_FORMAT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
const XS = 'http://www.w3.org/2001/XMLSchema';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** samlify's naming for attribute placeholders: `attr` and the PascalCase name. */
export function attributePlaceholder(name: AttributeName): string {
  return `attr${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

function attribute(name: AttributeName): string {
  return (
    `<saml:Attribute Name="${ATTRIBUTES[name]}" NameFormat="${ATTRNAME_URI}" FriendlyName="${name}">` +
    `<saml:AttributeValue xsi:type="xs:string">{${attributePlaceholder(name)}}</saml:AttributeValue>` +
    `</saml:Attribute>`
  );
}

/**
 * A successful Response with one assertion: bearer confirmation, conditions, one AuthnStatement and one
 * AttributeStatement. The Assertion declares every namespace it uses, so it stays valid once encrypted on its own.
 */
export function loginResponseTemplate(attributes: readonly AttributeName[]): string {
  return (
    `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="{ID}" Version="2.0" ` +
    `IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">` +
    `<saml:Issuer Format="${ENTITY_FORMAT}">{Issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>` +
    `<saml:Assertion xmlns:saml="${NS.saml}" xmlns:xs="${XS}" xmlns:xsi="${XSI}" ID="{AssertionID}" Version="2.0" ` +
    `IssueInstant="{IssueInstant}">` +
    `<saml:Issuer Format="${ENTITY_FORMAT}">{Issuer}</saml:Issuer>` +
    `<saml:Subject>` +
    `<saml:NameID Format="${NAMEID_PERSISTENT}" NameQualifier="{Issuer}" SPNameQualifier="{Audience}">{NameID}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${BEARER}">` +
    `<saml:SubjectConfirmationData InResponseTo="{InResponseTo}" NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" ` +
    `Recipient="{SubjectRecipient}"/>` +
    `</saml:SubjectConfirmation>` +
    `</saml:Subject>` +
    `<saml:Conditions NotBefore="{ConditionsNotBefore}" NotOnOrAfter="{ConditionsNotOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes.map(attribute).join('')}</saml:AttributeStatement>` +
    `</saml:Assertion>` +
    `</samlp:Response>`
  );
}

/** An error Response (no assertion) with a top-level and a second-level status code. */
export const ERROR_RESPONSE_TEMPLATE =
  `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="{ID}" Version="2.0" ` +
  `IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">` +
  `<saml:Issuer Format="${ENTITY_FORMAT}">{Issuer}</saml:Issuer>` +
  `<samlp:Status><samlp:StatusCode Value="{StatusCode}"><samlp:StatusCode Value="{SubStatusCode}"/></samlp:StatusCode>` +
  `<samlp:StatusMessage>{StatusMessage}</samlp:StatusMessage></samlp:Status>` +
  `</samlp:Response>`;

/**
 * Fills every `{Name}` placeholder in one pass, escaped for XML (so a value can never bring in a placeholder or
 * markup), and fails on a placeholder without a value rather than leaving it empty.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in the response template`);
    return escapeXml(value);
  });
}
