import { z } from 'zod';
import { UUID } from '../employers/schemas';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import { isPlainLine, searchText } from '../domain/text';
import { endDateSchema } from './end-date';

/** A form field as text: a missing field reads as empty, so it gets the field's own message, not zod's. */
const text = (required: string) =>
  z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().trim().min(1, required));

/** A field that may be sent once or several times (checkboxes): always a list of strings. */
const list = z.preprocess((value): unknown[] => {
  if (Array.isArray(value)) return value as unknown[];
  return value === undefined || value === '' ? [] : [value];
}, z.array(z.string()));

const uuid = (message: string) => z.string().regex(UUID, message);

/** An optional id or key from a query string: anything unreadable counts as not given. */
export const optionalMatching = (pattern: RegExp) =>
  z.preprocess(
    (value) => (typeof value === 'string' && pattern.test(value) ? value : undefined),
    z.string().optional(),
  );

/** A service's key as the services table allows it, and short: it goes back into the overview's URL. */
const SERVICE_KEY = /^(?=.{1,60}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** A page number from a query string or a hidden field (`sida`); anything unreadable is the first page. */
export const pageNumber = z.preprocess(
  (value) => (typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : 1),
  z.number().int().min(1).catch(1),
);

/** The overview's filters, read from the query (never a personal identity number: the search term is in the session). */
export const overviewQuerySchema = z.object({
  kod: optionalMatching(UUID),
  tjanst: optionalMatching(SERVICE_KEY),
  visa: z.preprocess((value) => value === 'inaktiva', z.boolean()),
  sida: pageNumber,
});

export type OverviewQuery = z.infer<typeof overviewQuerySchema>;

/** The search form (posted, so that a personal identity number never ends up in a URL), with the filters. */
export const searchFormSchema = overviewQuerySchema.omit({ sida: true }).extend({
  q: z.preprocess((value) => searchText(value), z.string()),
});

/** A grant in the checkbox grid: `<codeId>:<serviceId>`. */
const GRANT = new RegExp(`^(${UUID.source.slice(1, -1)}):(${UUID.source.slice(1, -1)})$`, 'i');

export interface GrantInput {
  codeId: string;
  serviceId: string;
}

export function grantValue(codeId: string, serviceId: string): string {
  return `${codeId}:${serviceId}`;
}

const grantsSchema = list
  .pipe(
    z.array(z.string().regex(GRANT, 'permissions.errors.grantsInvalid')).min(1, 'permissions.errors.grantsRequired'),
  )
  .transform((values) =>
    [...new Set(values.map((value) => value.toLowerCase()))].map((value): GrantInput => {
      const [codeId = '', serviceId = ''] = value.split(':');
      return { codeId, serviceId };
    }),
  );

/** Add a user: identity number (normalised to 12 digits against today), name, email, and at least one service. */
export function newUserSchema(today: Date) {
  return z.object({
    personalIdentityNumber: text('permissions.errors.personalIdentityNumberRequired').transform((value, context) => {
      const normalised = normalisePersonalIdentityNumber(value, today);
      if (normalised === null) {
        context.addIssue({ code: 'custom', message: 'permissions.errors.personalIdentityNumberInvalid' });
        return z.NEVER;
      }
      return normalised;
    }),
    name: text('permissions.errors.nameRequired').pipe(
      z.string().max(200, 'permissions.errors.nameTooLong').refine(isPlainLine, 'forms.invalidCharacters'),
    ),
    email: text('permissions.errors.emailRequired').pipe(
      z.string().max(254, 'permissions.errors.emailInvalid').pipe(z.email('permissions.errors.emailInvalid')),
    ),
    grants: grantsSchema,
    /** "Giltig till och med": optional; the end moment of every permission the form grants. */
    validUntil: endDateSchema(today),
  });
}

export type NewUserInput = z.infer<ReturnType<typeof newUserSchema>>;

/** One permission named by a form: the code and the service (both ids). */
export const permissionFormSchema = z.object({
  codeId: uuid('permissions.errors.codeInvalid'),
  serviceId: uuid('permissions.errors.serviceInvalid'),
});

/** The grant button's form with its optional end date. */
export function grantFormSchema(today: Date) {
  return permissionFormSchema.extend({ validUntil: endDateSchema(today) });
}

/** Changing the end date of a current permission: an empty date clears it. */
export const endDateFormSchema = grantFormSchema;

export const codeFormSchema = z.object({ codeId: uuid('permissions.errors.codeInvalid') });

/** The inactive users ticked on the overview. */
export const removeInactiveSchema = z.object({
  personIds: list.pipe(
    z.array(uuid('permissions.errors.personInvalid')).min(1, 'permissions.errors.personIdsRequired'),
  ),
});
