/** The development IdP reads XML with the portal's parser (no DOCTYPE, malformed refused) plus two helpers. */
export { attributes as attributeValues, elements, escapeXml, parseXml, select } from '../xml';

/** An attribute's value, or undefined when the element does not have it. */
export function optionalAttribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined;
}

export function textOf(element: Element): string {
  return element.textContent.trim();
}
