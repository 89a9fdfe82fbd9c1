/**
 * Characters a form field never needs: control characters (C0, DEL, C1: NUL, escape sequences, line breaks in a
 * one-line field) and the invisible bidi and direction marks that make a name or an address read differently from
 * what is stored. PostgreSQL cannot store NUL in text at all.
 */
const FORBIDDEN = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** True when a one-line value holds no control characters and no bidi controls. */
export function isPlainLine(value: string): boolean {
  return !FORBIDDEN.test(value);
}

/** True when a multi-line value (line breaks as `\n`) holds nothing else of the kind but line breaks and tabs. */
export function isPlainText(value: string): boolean {
  return !FORBIDDEN.test(value.replace(/[\n\t]/g, ''));
}

const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, 'gu');

/**
 * A free-text search read from a query string: what cannot be stored or compared (control characters, NUL above all,
 * and bidi controls) is dropped rather than refused, since a search box has no field error to show; then trimmed and
 * cut to `max` characters.
 */
export function searchText(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.replace(FORBIDDEN_ALL, '').trim().slice(0, max) : '';
}
