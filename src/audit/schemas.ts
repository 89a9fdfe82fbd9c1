import { z } from 'zod';
import { UUID } from '../employers/schemas';
import { searchText } from '../domain/text';

/** An id from the query string: anything unreadable counts as not given (only ids, never a person's number). */
const optionalId = z.preprocess(
  (value) => (typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined),
  z.string().optional(),
);

/** A row id for keyset paging: anything but a positive safe integer counts as not given (a page link, not input). */
const optionalCursor = z.preprocess((value) => {
  const cursor = typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : 0;
  return cursor > 0 && Number.isSafeInteger(cursor) ? cursor : undefined;
}, z.number().int().positive().optional());

function isRealDate(value: string): boolean {
  const [year, month, day] = value.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A day typed as YYYY-MM-DD (a date field), or nothing. */
const optionalDay = z.preprocess(
  (value) =>
    typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'string' ? undefined : value,
  z
    .string('audit.errors.dateFormat')
    .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'audit.errors.dateFormat')
    .refine(isRealDate, 'audit.errors.dateInvalid')
    .refine((value) => value >= '1900-01-01' && value <= '2999-12-31', 'audit.errors.dateInvalid')
    .optional(),
);

/** The ids of the filter (selects, paging links, staff's employer search): read leniently, they are checked against the reader's scope. */
export const historyIdsSchema = z.object({
  person: optionalId,
  kod: optionalId,
  arbetsgivare: optionalId,
  /** Staff's employer search (organisation number, name or code), used when no employer is chosen yet. */
  sok: z.preprocess((value) => searchText(value), z.string()),
  aldre: optionalCursor,
  nyare: optionalCursor,
});

/** The period of the filter: field errors (with an error summary) when a date is not one. */
export const periodSchema = z
  .object({ fran: optionalDay, till: optionalDay })
  .refine((period) => !period.fran || !period.till || period.fran <= period.till, {
    path: ['till'],
    error: 'audit.errors.periodOrder',
  });

export type HistoryIds = z.infer<typeof historyIdsSchema>;
export type Period = z.infer<typeof periodSchema>;
