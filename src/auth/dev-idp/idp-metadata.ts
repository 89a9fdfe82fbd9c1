import { certificateBody } from '../keys';
import {
  ATTRIBUTES,
  ATTRNAME_URI,
  BINDING_POST,
  BINDING_REDIRECT,
  ENTITY_CATEGORY,
  LOA3,
  NAMEID_PERSISTENT,
  NS,
} from '../saml-constants';
import { escapeXml } from './xml';

const ASSURANCE_CERTIFICATION = 'urn:oasis:names:tc:SAML:attribute:assurance-certification';
const LOA3_PNR_CATEGORY = 'http://id.elegnamnden.se/ec/1.0/loa3-pnr';

export interface IdpMetadataInput {
  entityId: string;
  ssoUrl: string;
  signingCert: string;
}

/**
 * The development IdP's metadata, shaped like a Sweden Connect IdP's: LoA 3 assurance certification, the loa3-pnr
 * entity category, signed requests wanted, principal selection on the personal identity number, and one
 * HTTP-Redirect and HTTP-POST SingleSignOnService. It publishes no encryption key, so SPs send sign messages in clear text.
 */
export function buildIdpMetadata(input: IdpMetadataInput): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:saml="${NS.saml}" xmlns:ds="${NS.ds}" xmlns:mdattr="${NS.mdattr}" xmlns:mdui="${NS.mdui}" xmlns:psc="${NS.psc}" entityID="${escapeXml(input.entityId)}">
  <md:Extensions>
    <mdattr:EntityAttributes>
      <saml:Attribute Name="${ASSURANCE_CERTIFICATION}" NameFormat="${ATTRNAME_URI}">
        <saml:AttributeValue>${LOA3}</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="${ENTITY_CATEGORY}" NameFormat="${ATTRNAME_URI}">
        <saml:AttributeValue>${LOA3_PNR_CATEGORY}</saml:AttributeValue>
      </saml:Attribute>
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="sv">Utvecklings-e-legitimation (inte en riktig e-legitimation)</mdui:DisplayName>
        <mdui:DisplayName xml:lang="en">Development e-ID (not a real e-ID)</mdui:DisplayName>
      </mdui:UIInfo>
      <psc:RequestedPrincipalSelection>
        <psc:MatchValue Name="${ATTRIBUTES.personalIdentityNumber}"/>
      </psc:RequestedPrincipalSelection>
    </md:Extensions>
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${certificateBody(input.signingCert)}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>${NAMEID_PERSISTENT}</md:NameIDFormat>
    <md:SingleSignOnService Binding="${BINDING_REDIRECT}" Location="${escapeXml(input.ssoUrl)}"/>
    <md:SingleSignOnService Binding="${BINDING_POST}" Location="${escapeXml(input.ssoUrl)}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}
