import { BINDING_POST, ENTITY_CATEGORY } from '../saml-constants';
import { attributeValues, elements, optionalAttribute, parseXml, textOf } from './xml';

/** What the development IdP reads from the SP's metadata. */
export interface ServiceProviderInfo {
  entityId: string;
  /** The default HTTP-POST AssertionConsumerService. */
  acsUrl: string;
  /** An encryption certificate is declared: assertions are encrypted for it. */
  wantsEncryption: boolean;
  /** The EncryptionMethod algorithms of the encryption key, in the SP's order of preference. */
  encryptionMethods: string[];
  entityCategories: string[];
}

export class ServiceProviderMetadataError extends Error {}

function defaultPostAcs(descriptor: Element): string {
  const services = elements(`md:AssertionConsumerService[@Binding='${BINDING_POST}']`, descriptor);
  const byDefault = services.find((service) => service.getAttribute('isDefault') === 'true');
  const byIndex = [...services].sort(
    (first, second) => Number(first.getAttribute('index') ?? 0) - Number(second.getAttribute('index') ?? 0),
  )[0];
  const location = (byDefault ?? byIndex)?.getAttribute('Location');
  if (!location) throw new ServiceProviderMetadataError('the SP metadata has no HTTP-POST AssertionConsumerService');
  return location;
}

export function readServiceProvider(metadataXml: string): ServiceProviderInfo {
  const document = parseXml(metadataXml);
  const entity = elements('/md:EntityDescriptor', document)[0];
  const descriptor = entity ? elements('md:SPSSODescriptor', entity)[0] : undefined;
  const entityId = entity ? optionalAttribute(entity, 'entityID') : undefined;
  if (!entity || !descriptor || !entityId) throw new ServiceProviderMetadataError('not SP metadata');
  // A KeyDescriptor without `use` serves both signing and encryption (saml-metadata §2.4.1.1).
  const encryptionKeys = elements("md:KeyDescriptor[@use='encryption' or not(@use)]", descriptor);
  return {
    entityId,
    acsUrl: defaultPostAcs(descriptor),
    wantsEncryption: encryptionKeys.length > 0,
    encryptionMethods: encryptionKeys.flatMap((key) => attributeValues('md:EncryptionMethod/@Algorithm', key)),
    entityCategories: elements(
      `md:Extensions/mdattr:EntityAttributes/saml:Attribute[@Name='${ENTITY_CATEGORY}']/saml:AttributeValue`,
      entity,
    ).map(textOf),
  };
}
