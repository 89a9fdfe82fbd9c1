import { z } from 'zod';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { isPlainLine } from '../domain/text';

/** A form field as text: a missing field reads as empty, so it gets the field's own message, not zod's. */
const text = (required: string) =>
  z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().trim().min(1, required));

const optionalText = z.preprocess((value) => (typeof value === 'string' ? value.trim() : ''), z.string());

/** Digits, spaces, dashes, brackets and a leading plus, with at least five digits. */
const PHONE = /^\+?[0-9 ()-]+$/;

/** The checked codes (one value or many, as the browser sends them), each once. */
export const codeIdsSchema = z.preprocess(
  (value: unknown): unknown[] =>
    Array.isArray(value) ? (value as unknown[]) : typeof value === 'string' ? [value] : [],
  z
    .array(z.string('administrators.errors.codesRequired'), 'administrators.errors.codesRequired')
    .min(1, 'administrators.errors.codesRequired')
    .transform((ids) => [...new Set(ids)]),
);

/** Appoint an administrator: who (personal identity number or samordningsnummer), how to reach them, which codes. */
export function appointSchema(today: Date) {
  return z.object({
    personalIdentityNumber: text('administrators.errors.personalIdentityNumberRequired').transform((value, context) => {
      const normalised = normalisePersonalIdentityNumber(value, today);
      if (normalised === null) {
        context.addIssue({ code: 'custom', message: 'administrators.errors.personalIdentityNumberInvalid' });
        return z.NEVER;
      }
      return normalised;
    }),
    name: text('administrators.errors.nameRequired').pipe(
      z.string().max(200, 'administrators.errors.nameTooLong').refine(isPlainLine, 'forms.invalidCharacters'),
    ),
    email: text('administrators.errors.emailRequired').pipe(
      z.string().max(254, 'administrators.errors.emailInvalid').pipe(z.email('administrators.errors.emailInvalid')),
    ),
    phone: optionalText.refine(
      (value) => value === '' || (PHONE.test(value) && value.replace(/\D/g, '').length >= 5 && value.length <= 30),
      { error: 'administrators.errors.phoneInvalid' },
    ),
    codes: codeIdsSchema,
  });
}

export type AppointInput = z.infer<ReturnType<typeof appointSchema>>;

/** Change an administrator's codes: the codes they keep or get (at least one; removing them all is "remove"). */
export const changeCodesSchema = z.object({ codes: codeIdsSchema });
