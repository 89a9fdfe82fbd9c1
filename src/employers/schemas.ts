import { z } from 'zod';
import { normaliseOrganisationNumber } from '../domain/identity-numbers';
import { isPlainLine, searchText } from '../domain/text';

/** A form field as text: a missing field reads as empty, so it gets the field's own message, not zod's. */
const text = (required: string) =>
  z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().trim().min(1, required));

const optionalText = z.preprocess((value) => (typeof value === 'string' ? value.trim() : ''), z.string());

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1900 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

export const organisationNumberSchema = text('employers.errors.organisationNumberRequired').transform(
  (value, context) => {
    const normalised = normaliseOrganisationNumber(value);
    if (normalised === null) {
      context.addIssue({ code: 'custom', message: 'employers.errors.organisationNumberInvalid' });
      return z.NEVER;
    }
    return normalised;
  },
);

const emailSchema = (required: string, invalid: string) =>
  text(required).pipe(z.string().max(254, invalid).pipe(z.email(invalid)));

/** Register or edit an employer: organisation number (Luhn), name, registry e-mail address. */
export const employerSchema = z.object({
  organisationNumber: organisationNumberSchema,
  name: text('employers.errors.nameRequired').pipe(
    z.string().max(200, 'employers.errors.nameTooLong').refine(isPlainLine, 'forms.invalidCharacters'),
  ),
  registryEmail: emailSchema('employers.errors.registryEmailRequired', 'employers.errors.registryEmailInvalid'),
});

export type EmployerInput = z.infer<typeof employerSchema>;

const closedOnSchema = optionalText.refine((value) => value === '' || isIsoDate(value), {
  error: 'employers.errors.closedOnInvalid',
});

/**
 * Add or edit an employer code. A closed date belongs to an inactive code only, and an inactive code needs one.
 * The cross-field rule is checked whenever both fields parsed, so it shows together with other fields' errors.
 */
export const employerCodeSchema = z
  .object({
    code: text('employers.errors.codeRequired').pipe(
      z
        .string()
        .max(20, 'employers.errors.codeTooLong')
        .regex(/^[A-Za-z0-9-]+$/, 'employers.errors.codeInvalid'),
    ),
    name: text('employers.errors.codeNameRequired').pipe(
      z.string().max(200, 'employers.errors.nameTooLong').refine(isPlainLine, 'forms.invalidCharacters'),
    ),
    status: z.enum(['active', 'inactive'], 'employers.errors.statusRequired'),
    closedOn: closedOnSchema,
  })
  .superRefine((form, context) => {
    if (form.status === 'active' && form.closedOn !== '') {
      context.addIssue({ code: 'custom', path: ['closedOn'], message: 'employers.errors.closedOnOnlyInactive' });
    }
    if (form.status === 'inactive' && form.closedOn === '') {
      context.addIssue({ code: 'custom', path: ['closedOn'], message: 'employers.errors.closedOnRequired' });
    }
  })
  .transform((form) => ({
    code: form.code,
    name: form.name,
    active: form.status === 'active',
    closedOn: form.closedOn === '' ? null : form.closedOn,
  }));

export type EmployerCodeInput = z.infer<typeof employerCodeSchema>;

/** Mark a code inactive: the date it closed. */
export const closeCodeSchema = z.object({
  closedOn: text('employers.errors.closedOnRequired').pipe(
    z.string().refine(isIsoDate, { error: 'employers.errors.closedOnInvalid' }),
  ),
});

/** The employer search: free text (organisation number, name or code) and a page number (1 when unreadable). */
export const employerSearchSchema = z.object({
  q: z.preprocess((value) => searchText(value), z.string()),
  sida: z.preprocess(
    (value) => (typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : 1),
    z.number().int().min(1).catch(1),
  ),
});

/** Ids in URLs are uuids; anything else is a page that does not exist. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
