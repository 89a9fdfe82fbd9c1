import { maskPersonalIdentityNumber } from '../domain/identity-numbers';

/** Anything shaped like a personal identity number: 12 or 10 digits, with or without a separator. */
const IDENTITY_NUMBER = /(?<!\d)(?:(?:18|19|20)\d{6}|\d{6})[-+]?\d{4}(?!\d)/g;

/** Keys whose values are organisation numbers (public, and needed to tell employers apart): left as they are. */
const ORGANISATION_KEYS = new Set(['organisationNumber', 'organisation_number']);

/** Every identity number in the text masked: 12 digits as maskPersonalIdentityNumber does, 10 as YYMMDD-****. */
export function maskIdentityNumbersIn(text: string): string {
  return text.replace(IDENTITY_NUMBER, (match) => {
    const digits = match.replace(/[-+]/g, '');
    return digits.length === 12 ? maskPersonalIdentityNumber(digits) : `${digits.slice(0, 6)}-****`;
  });
}

/**
 * A copy of audit data (before/after JSON) with every string shaped like a personal identity number masked, at any
 * depth. The stored row is never changed; this is for showing it to someone who does not need the numbers.
 */
export function maskAuditData(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key && ORGANISATION_KEYS.has(key) ? value : maskIdentityNumbersIn(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    const masked = maskIdentityNumbersIn(String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((item) => maskAuditData(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, maskAuditData(inner, name)]));
  }
  return value;
}
