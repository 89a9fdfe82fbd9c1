import { z } from 'zod';
import { UUID } from '../employers/schemas';
import { optionalMatching, pageNumber } from '../permissions/schemas';

const ROW = /^(confirm|remove):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The review form: the ticked items with a bulk button (`decision`), or one row's button (`row`: `confirm:<id>` or
 * `remove:<id>`), which then decides that row alone whatever is ticked.
 */
export const decisionFormSchema = z
  .object({
    items: z.preprocess(
      (value): unknown[] => (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]),
      // a page holds 50; more than any page holds is not a form the page sent
      z.array(z.string().regex(UUID, 'reviews.errors.itemsInvalid')).max(500, 'reviews.errors.itemsInvalid'),
    ),
    decision: z.enum(['confirm', 'remove'], { error: 'reviews.errors.decisionInvalid' }).optional(),
    row: z.string().regex(ROW, 'reviews.errors.itemsInvalid').optional(),
  })
  .transform((form, context) => {
    const [, kind, id] = form.row ? (ROW.exec(form.row) ?? []) : [];
    if (kind && id) return { kind: kind.toLowerCase() as 'confirm' | 'remove', itemIds: [id.toLowerCase()] };
    if (!form.decision) {
      context.addIssue({ code: 'custom', path: ['decision'], message: 'reviews.errors.decisionInvalid' });
      return z.NEVER;
    }
    if (form.items.length === 0) {
      context.addIssue({ code: 'custom', path: ['items'], message: 'reviews.errors.itemsRequired' });
      return z.NEVER;
    }
    return { kind: form.decision, itemIds: [...new Set(form.items.map((item) => item.toLowerCase()))] };
  });
export type DecisionInput = z.infer<typeof decisionFormSchema>;

/** The staff list's page number (`?sida=2`). */
export const staffQuerySchema = z.object({ sida: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });

/**
 * What the review page lists (`?kod=<code id>&visa=oavgjorda&sida=2`), read from the query and, after a decision,
 * from the form's hidden fields so the person comes back to the same list. Anything unreadable counts as not given.
 */
export const reviewQuerySchema = z
  .object({
    kod: optionalMatching(UUID),
    visa: z.preprocess((value) => value === 'oavgjorda', z.boolean()),
    sida: pageNumber,
  })
  .transform((query) => ({ codeId: query.kod?.toLowerCase(), openOnly: query.visa, page: query.sida }));
export type ReviewQuery = z.infer<typeof reviewQuerySchema>;
