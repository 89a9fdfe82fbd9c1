import { certificateBody } from './keys';
import { escapeXml } from './xml';
import {
  BINDING_POST,
  ENTITY_CATEGORIES,
  ENTITY_CATEGORY,
  ATTRNAME_URI,
  NAMEID_PERSISTENT,
  NS,
} from './saml-constants';

type Localised = { sv: string; en: string };

export interface SpMetadataInput {
  entityId: string;
  acsUrl: string;
  signingCert: string;
  encryptionCert: string | undefined;
  displayName: Localised;
  description: Localised;
  organisation: { name: Localised; url: string };
  technicalContact: { company: string; email: string };
}

function localised(element: string, value: Localised, indent: string): string {
  return (['sv', 'en'] as const)
    .map((lang) => `${indent}<${element} xml:lang="${lang}">${escapeXml(value[lang])}</${element}>`)
    .join('\n');
}

function keyDescriptor(use: 'signing' | 'encryption', cert: string): string {
  const methods =
    use === 'encryption'
      ? `
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/>
      <md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>`
      : '';
  return `
    <md:KeyDescriptor use="${use}">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${certificateBody(cert)}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>${methods}
    </md:KeyDescriptor>`;
}

/**
 * The portal's SAML metadata in the Sweden Connect profile: entity categories, UIInfo in Swedish and English,
 * separate signing and encryption certificates, signed AuthnRequests and one HTTP-POST AssertionConsumerService.
 */
export function buildSpMetadata(input: SpMetadataInput): string {
  const categories = ENTITY_CATEGORIES.map(
    (category) => `          <saml:AttributeValue>${category}</saml:AttributeValue>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:saml="${NS.saml}" xmlns:ds="${NS.ds}" xmlns:mdattr="${NS.mdattr}" xmlns:mdui="${NS.mdui}" entityID="${escapeXml(input.entityId)}">
  <md:Extensions>
    <mdattr:EntityAttributes>
      <saml:Attribute Name="${ENTITY_CATEGORY}" NameFormat="${ATTRNAME_URI}">
${categories}
      </saml:Attribute>
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <mdui:UIInfo>
${localised('mdui:DisplayName', input.displayName, '        ')}
${localised('mdui:Description', input.description, '        ')}
      </mdui:UIInfo>
    </md:Extensions>${keyDescriptor('signing', input.signingCert)}${input.encryptionCert ? keyDescriptor('encryption', input.encryptionCert) : ''}
    <md:NameIDFormat>${NAMEID_PERSISTENT}</md:NameIDFormat>
    <md:AssertionConsumerService Binding="${BINDING_POST}" Location="${escapeXml(input.acsUrl)}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
  <md:Organization>
${localised('md:OrganizationName', input.organisation.name, '    ')}
${localised('md:OrganizationDisplayName', input.organisation.name, '    ')}
    <md:OrganizationURL xml:lang="sv">${escapeXml(input.organisation.url)}</md:OrganizationURL>
    <md:OrganizationURL xml:lang="en">${escapeXml(input.organisation.url)}</md:OrganizationURL>
  </md:Organization>
  <md:ContactPerson contactType="technical">
    <md:Company>${escapeXml(input.technicalContact.company)}</md:Company>
    <md:EmailAddress>mailto:${escapeXml(input.technicalContact.email)}</md:EmailAddress>
  </md:ContactPerson>
</md:EntityDescriptor>
`;
}
