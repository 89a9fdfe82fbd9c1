import { z } from 'zod';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';

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
    name: z.string().trim().min(1, 'the name is empty').max(200, 'the name is too long'),
    email: z.string().trim().pipe(z.email('not a valid e-mail address').max(254, 'the e-mail address is too long')),
  });
}

export type StaffMemberInput = z.infer<ReturnType<typeof staffMemberSchema>>;
