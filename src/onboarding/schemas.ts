import { z } from 'zod';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { isPlainLine } from '../domain/text';

/** Messages are locale keys (translated by the views). */
const E = {
  required: 'onboarding.errors.required',
  employer: 'onboarding.errors.employerRequired',
  pnr: 'onboarding.errors.personalIdentityNumberInvalid',
  email: 'onboarding.errors.emailInvalid',
  tooLong: 'onboarding.errors.tooLong',
  handledBy: 'onboarding.errors.handledByOrdererRequired',
  terms: 'onboarding.errors.termsRequired',
  checked: 'onboarding.errors.paperCheckedRequired',
  characters: 'forms.invalidCharacters',
} as const;

const text = (max: number) =>
  z.string(E.required).trim().min(1, E.required).max(max, E.tooLong).refine(isPlainLine, E.characters);

export const nameField = text(200);

export const personalIdentityNumberField = z
  .string(E.required)
  .trim()
  .min(1, E.required)
  .transform((value, ctx) => {
    // A date of birth in the future is refused against the wall clock: schemas are built once, not per request.
    const normalised = normalisePersonalIdentityNumber(value, new Date());
    if (normalised === null) {
      ctx.addIssue({ code: 'custom', message: E.pnr });
      return z.NEVER;
    }
    return normalised;
  });

export const emailField = z.string(E.required).trim().min(1, E.required).max(254, E.tooLong).pipe(z.email(E.email));

/** Staff register an application received by email. Field names are the form's ids. */
export const applicationSchema = z.object({
  employerId: z.uuid(E.employer),
  name: nameField,
  title: text(200),
  personalIdentityNumber: personalIdentityNumberField,
  email: emailField,
});
export type ApplicationInput = z.infer<typeof applicationSchema>;

const delegateFields = {
  delegateName: nameField,
  delegatePersonalIdentityNumber: personalIdentityNumberField,
  delegateEmail: emailField,
} as const;

/** Step 1: will the orderer appoint administrators personally, or delegate the handling (then to whom)? */
export const detailsSchema = z
  .object({
    handledByOrderer: z.enum(['yes', 'no'], E.handledBy),
    delegateName: z.unknown().optional(),
    delegatePersonalIdentityNumber: z.unknown().optional(),
    delegateEmail: z.unknown().optional(),
  })
  .transform((input, ctx): DetailsInput => {
    if (input.handledByOrderer === 'yes') return { handledByOrderer: true, delegate: null };
    const delegate: Partial<Record<keyof typeof delegateFields, string>> = {};
    for (const [field, schema] of Object.entries(delegateFields) as [
      keyof typeof delegateFields,
      z.ZodType<string>,
    ][]) {
      const parsed = schema.safeParse(input[field] ?? '');
      if (parsed.success) delegate[field] = parsed.data;
      else ctx.addIssue({ code: 'custom', path: [field], message: parsed.error.issues[0]?.message ?? E.required });
    }
    if (!delegate.delegateName || !delegate.delegatePersonalIdentityNumber || !delegate.delegateEmail) return z.NEVER;
    return {
      handledByOrderer: false,
      delegate: {
        name: delegate.delegateName,
        personalIdentityNumber: delegate.delegatePersonalIdentityNumber,
        email: delegate.delegateEmail,
      },
    };
  });

export interface DelegateInput {
  name: string;
  personalIdentityNumber: string;
  email: string;
}
export interface DetailsInput {
  handledByOrderer: boolean;
  delegate: DelegateInput | null;
}

/** Step 2: the general terms must be accepted; the version shown is sent back and must still be the current one. */
export const termsSchema = z.object({
  accept: z.literal('yes', E.terms),
  termsVersion: z.string(E.terms).min(1, E.terms),
});

/** Staff confirm they have checked the hand-signed form. */
export const paperSchema = z.object({
  checked: z.literal('yes', E.checked),
});
