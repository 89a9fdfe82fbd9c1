import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';

type Messages = Record<string, unknown>;

const load = (lang: 'sv' | 'en'): Messages =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, `../../../src/locales/${lang}.json`), 'utf8')) as Messages;
const messages = { sv: load('sv'), en: load('en') };

/**
 * A text of the portal as the person sees it, from the locale files (so a reworded button does not break the
 * journeys): `text('staff.nav.employers')`, with `{{name}}` filled from `values`.
 */
export function text(key: string, values: Record<string, string> = {}, lang: 'sv' | 'en' = 'sv'): string {
  let found: unknown = messages[lang];
  for (const part of key.split('.')) found = (found as Messages | undefined)?.[part];
  if (typeof found !== 'string') throw new Error(`no text ${key} in ${lang}.json`);
  return found.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => values[name] ?? `{{${name}}}`);
}

/** The links in an email's text part that point at the portal, as paths (the browser's baseURL is the portal). */
export function portalLinks(mail: ParsedMail, baseUrl: string): string[] {
  const links = (mail.text ?? '').match(/https?:\/\/[^\s<>")]+/g) ?? [];
  return links.filter((link) => link.startsWith(baseUrl)).map((link) => link.slice(baseUrl.length) || '/');
}
