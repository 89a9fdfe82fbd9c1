import request from 'supertest';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { certificateBody } from '../../src/auth/keys';
import { ENTITY_CATEGORIES } from '../../src/auth/saml-constants';
import { attributes, elements, parseXml, soleText } from '../../src/auth/xml';
import { buildTestApp, type TestApp } from '../helpers/app';
import { developmentKeys } from '../helpers/keys';

let testApp: TestApp;
let document: Document;

beforeAll(async () => {
  testApp = await buildTestApp();
  const response = await request(testApp.app).get('/saml/metadata').expect(200);
  expect(response.headers['content-type']).toContain('application/samlmetadata+xml');
  document = parseXml(response.text);
});

describe('SP metadata', () => {
  it('has the elements the metadata schema requires, in its order', () => {
    const root = document.documentElement;
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe('http://localhost:3000/saml/metadata');
    const [sp] = elements('/md:EntityDescriptor/md:SPSSODescriptor', document);
    expect(sp?.getAttribute('protocolSupportEnumeration')).toBe('urn:oasis:names:tc:SAML:2.0:protocol');
    expect(sp?.getAttribute('AuthnRequestsSigned')).toBe('true');
    if (!sp) throw new Error('no SPSSODescriptor');
    const order = elements('*', sp).map((element) => element.localName);
    expect(order).toEqual(['Extensions', 'KeyDescriptor', 'KeyDescriptor', 'NameIDFormat', 'AssertionConsumerService']);
    const top = elements('/md:EntityDescriptor/*', document).map((element) => element.localName);
    expect(top).toEqual(['Extensions', 'SPSSODescriptor', 'Organization', 'ContactPerson']);
  });

  it('has one HTTP-POST AssertionConsumerService at the ACS URL', () => {
    const acs = elements('//md:SPSSODescriptor/md:AssertionConsumerService', document);
    expect(acs).toHaveLength(1);
    expect(acs[0]?.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(acs[0]?.getAttribute('Location')).toBe('http://localhost:3000/saml/acs');
  });

  it('carries separate signing and encryption certificates, the ones the portal holds', async () => {
    const cert = (use: string) =>
      elements(`//md:KeyDescriptor[@use="${use}"]/ds:KeyInfo/ds:X509Data/ds:X509Certificate`, document).map(soleText);
    const dataDir = inject('dataDir');
    expect(cert('signing')).toEqual([certificateBody((await developmentKeys(dataDir, 'sp-signing')).cert)]);
    expect(cert('encryption')).toEqual([certificateBody((await developmentKeys(dataDir, 'sp-encryption')).cert)]);
    expect(cert('signing')[0]).not.toBe(cert('encryption')[0]);
  });

  it('declares the Sweden Connect entity categories', () => {
    const values = elements(
      '//mdattr:EntityAttributes/saml:Attribute[@Name="http://macedir.org/entity-category"]/saml:AttributeValue',
      document,
    ).map(soleText);
    expect(values.sort()).toEqual([...ENTITY_CATEGORIES].sort());
  });

  it('has UIInfo in Swedish and English', () => {
    expect(attributes('//mdui:UIInfo/mdui:DisplayName/@xml:lang', document).sort()).toEqual(['en', 'sv']);
    const swedish = elements('//mdui:UIInfo/mdui:DisplayName', document).find(
      (element) => element.getAttribute('xml:lang') === 'sv',
    );
    expect(swedish && soleText(swedish)).toBe('Behörighetsportalen');
    expect(elements('//mdui:UIInfo/mdui:Description', document)).toHaveLength(2);
  });

  it('asks for persistent NameIDs', () => {
    expect(elements('//md:NameIDFormat', document).map(soleText)).toEqual([
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    ]);
  });
});
