import { z } from 'zod';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { isPlainLine, isPlainText } from '../domain/text';

/** `npm run cli -- staff add <personal identity number> <name> <email>`; messages are shown as they are. */
export function staffMemberSchema(today: Date) {
  return z.object({
    personalIdentityNumber: z.string().transform((value, context) => {
      const normalised = normalisePersonalIdentityNumber(value, today);
      if (normalised === null) {
        context.addIssue({ code: 'custom', message: 'not a valid personal identity number (personnummer)' });
        return z.NEVER;
      }
      return normalised;
    }),
    name: z
      .string()
      .trim()
      .min(1, 'the name is empty')
      .max(200, 'the name is too long')
      .refine(isPlainLine, 'the name has control characters'),
    email: z.string().trim().pipe(z.email('not a valid e-mail address').max(254, 'the e-mail address is too long')),
  });
}

export type StaffMemberInput = z.infer<ReturnType<typeof staffMemberSchema>>;

/** The most a terms text may hold, counted after line breaks are normalised to one character. */
export const TERMS_BODY_MAX = 20000;

/** A textarea's text: line breaks as `\n` (browsers send `\r\n`), no blank start or end; missing reads as empty. */
const termsBody = (required: string, tooLong: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : ''),
    z.string().min(1, required).max(TERMS_BODY_MAX, tooLong).refine(isPlainText, 'forms.invalidCharactersInText'),
  );

/** Publish a new version of the general terms: its label (unique) and the Swedish and English text. */
export const termsVersionSchema = z.object({
  version: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .min(1, 'staff.terms.errors.versionRequired')
      .max(50, 'staff.terms.errors.versionTooLong')
      .refine(isPlainLine, 'forms.invalidCharacters'),
  ),
  bodySv: termsBody('staff.terms.errors.bodySvRequired', 'staff.terms.errors.bodySvTooLong'),
  bodyEn: termsBody('staff.terms.errors.bodyEnRequired', 'staff.terms.errors.bodyEnTooLong'),
});

export type TermsVersionInput = z.infer<typeof termsVersionSchema>;
