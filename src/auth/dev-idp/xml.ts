import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { NS } from '../saml-constants';

/**
 * The development IdP's own XML helpers: it stands for an outside party, so it shares no parsing code with the
 * portal's SAML checks.
 */
export const select = xpath.useNamespaces({ ...NS });

export class XmlError extends Error {}

export function parseXml(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) throw new XmlError('XML with a DOCTYPE is refused');
  const errors: string[] = [];
  // xmldom's types promise a document with a root; it gives undefined for empty input and no root for bare text.
  const document = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => errors.push(message),
      fatalError: (message: string) => errors.push(message),
    },
  }).parseFromString(xml, 'text/xml') as Document | undefined;
  const root = document?.documentElement as Element | null | undefined;
  if (errors.length > 0 || !document || !root) throw new XmlError('malformed XML');
  return document;
}

export function elements(expression: string, node: Node): Element[] {
  const result = select(expression, node);
  return Array.isArray(result) ? result.filter((item): item is Element => item.nodeType === 1) : [];
}

export function attributeValues(expression: string, node: Node): string[] {
  const result = select(expression, node);
  return Array.isArray(result)
    ? result.filter((item): item is Attr => item.nodeType === 2).map((item) => item.value)
    : [];
}

/** An attribute's value, or undefined when the element does not have it. */
export function optionalAttribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined;
}

export function textOf(element: Element): string {
  return element.textContent.trim();
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
