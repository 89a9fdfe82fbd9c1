/** Identifiers of the Sweden Connect technical framework that the portal uses (see EID-SAML.md). */
export const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';
export const CANCEL_STATUS = 'http://id.elegnamnden.se/status/1.0/cancel';
export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const ATTRNAME_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export const ENTITY_CATEGORY = 'http://macedir.org/entity-category';
export const ENTITY_CATEGORIES = [
  'http://id.elegnamnden.se/ec/1.0/loa3-pnr',
  'http://id.elegnamnden.se/st/1.0/public-sector-sp',
  'http://id.elegnamnden.se/st/1.0/sigservice',
  'http://id.swedenconnect.se/general-ec/1.0/accepts-coordination-number',
] as const;

export const ATTRIBUTES = {
  personalIdentityNumber: 'urn:oid:1.2.752.29.4.13',
  givenName: 'urn:oid:2.5.4.42',
  sn: 'urn:oid:2.5.4.4',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  dateOfBirth: 'urn:oid:1.3.6.1.5.5.7.9.1',
  signMessageDigest: 'urn:oid:1.2.752.201.3.14',
  transactionIdentifier: 'urn:oid:1.2.752.201.3.2',
  userSignature: 'urn:oid:1.2.752.201.3.11',
} as const;

export const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  csig: 'http://id.elegnamnden.se/csig/1.1/dss-ext/ns',
  psc: 'http://id.swedenconnect.se/authn/1.0/principal-selection/ns',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
} as const;

export const SHA256_DIGEST = 'http://www.w3.org/2001/04/xmlenc#sha256';
/** Signature and digest algorithms refused wherever they appear (SHA-1). */
export const SHA1_ALGORITHMS = [
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#sha1',
  'http://www.w3.org/2000/09/xmldsig#dsa-sha1',
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
] as const;
