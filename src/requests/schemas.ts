import { z } from 'zod';
import { isPlainText } from '../domain/text';

export const REASON_MAX = 500;

/** A free-text reason: required, at most 500 characters, no control characters. */
const reason = (prefix: string) =>
  z
    .string({ error: `${prefix}Required` })
    .trim()
    .min(1, `${prefix}Required`)
    .max(REASON_MAX, `${prefix}TooLong`)
    .refine(isPlainText, `${prefix}Invalid`);

/** One checkbox: `<codeId>:<serviceId>`. */
const HEX_UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ITEM = new RegExp(`^${HEX_UUID}:${HEX_UUID}$`, 'i');

export const requestFormSchema = z.object({
  items: z
    .preprocess(
      (value): unknown[] => (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]),
      z.array(z.string().regex(ITEM, 'requests.errors.itemsInvalid')),
    )
    .refine((items) => items.length > 0, 'requests.errors.itemsRequired')
    .transform((items) =>
      [...new Set(items.map((item) => item.toLowerCase()))].map((item) => {
        const [codeId = '', serviceId = ''] = item.split(':');
        return { codeId, serviceId };
      }),
    ),
  reason: reason('requests.errors.reason'),
});
export type RequestInput = z.infer<typeof requestFormSchema>;

export const rejectFormSchema = z.object({ rejectionReason: reason('requests.errors.rejectionReason') });

export function itemValue(codeId: string, serviceId: string): string {
  return `${codeId}:${serviceId}`;
}
