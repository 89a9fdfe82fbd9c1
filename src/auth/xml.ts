import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { NS } from './saml-constants';

export const select = xpath.useNamespaces({ ...NS, xml: 'http://www.w3.org/XML/1998/namespace' });

export class XmlError extends Error {}

/** Parses XML, refusing anything with a DOCTYPE (no entities, no external references). */
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

export function attributes(expression: string, node: Node): string[] {
  const result = select(expression, node);
  return Array.isArray(result)
    ? result.filter((item): item is Attr => item.nodeType === 2).map((item) => item.value)
    : [];
}

/**
 * The text of an element that must hold text only: refused when it has comments, elements or processing
 * instructions inside (an injected comment would otherwise cut the value a parser reads).
 */
export function soleText(element: Element): string {
  let text = '';
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== 3 && child.nodeType !== 4) throw new XmlError(`unexpected content in ${element.localName}`);
    text += child.nodeValue ?? '';
  }
  return text.trim();
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
