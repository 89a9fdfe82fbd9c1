import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatOrganisationNumber, formatPersonalIdentityNumber } from '../domain/identity-numbers';

const personSchema = z.object({ name: z.string(), personalIdentityNumber: z.string(), email: z.string() });

/**
 * The orderer's form as stored in orderer_applications.submitted_form: while the person fills it in, the answers so
 * far (termsVersion null until the terms are accepted); once sent in step 3 (submitted_at set), what is signed.
 */
export const ordererFormSchema = z.object({
  employer: z.object({ organisationNumber: z.string(), name: z.string() }),
  employerCodes: z.array(z.object({ code: z.string(), name: z.string(), active: z.boolean() })),
  orderer: personSchema.extend({ title: z.string() }),
  handledByOrderer: z.boolean(),
  delegate: personSchema.nullable(),
  termsVersion: z.string().nullable(),
});
export type OrdererForm = z.infer<typeof ordererFormSchema>;

/** JSON with the keys of every object sorted, so the same form always gives the same text (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical JSON of the form: the form content hash the signature and the PDF carry. */
export function formContentHash(form: OrdererForm): string {
  return createHash('sha256').update(canonicalJson(form), 'utf8').digest('hex');
}

type Texts = Record<string, string>;

/** The sign message is Swedish whatever the page language: its texts come from the Swedish locale file. */
const SIGN_TEXTS: Texts = (() => {
  const file = path.resolve(import.meta.dirname, '../locales/sv.json');
  const locale = JSON.parse(readFileSync(file, 'utf8')) as { onboarding?: { signMessage?: Texts } };
  const texts = locale.onboarding?.signMessage;
  if (!texts) throw new Error('sv.json has no onboarding.signMessage texts');
  return texts;
})();

function sv(key: string, values: Record<string, string> = {}): string {
  const template = SIGN_TEXTS[key];
  if (template === undefined) throw new Error(`no Swedish sign-message text ${key}`);
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => values[name] ?? '');
}

/** The text the orderer signs with e-ID: the form content in readable Swedish, ending with the form's hash. */
export function signMessage(form: OrdererForm): string {
  const codes = form.employerCodes
    .map((code) => `${code.code} ${code.name}${code.active ? '' : ` (${sv('inactive')})`}`)
    .join(', ');
  const lines = [
    sv('intro', {
      name: form.orderer.name,
      employer: form.employer.name,
      organisationNumber: formatOrganisationNumber(form.employer.organisationNumber),
    }),
    sv('orderer', {
      name: form.orderer.name,
      title: form.orderer.title,
      personalIdentityNumber: formatPersonalIdentityNumber(form.orderer.personalIdentityNumber),
      email: form.orderer.email,
    }),
    sv('codes', { codes: codes || '–' }),
    form.delegate
      ? sv('delegate', {
          name: form.delegate.name,
          personalIdentityNumber: formatPersonalIdentityNumber(form.delegate.personalIdentityNumber),
          email: form.delegate.email,
        })
      : sv('noDelegate'),
    sv('terms', { version: form.termsVersion ?? '' }),
    sv('hash', { hash: formContentHash(form) }),
  ];
  return lines.join('\n');
}
