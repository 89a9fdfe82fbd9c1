import type { z } from 'zod';

/** A message for one field; `message` is a locale key, translated by the view. */
export interface FieldError {
  field: string;
  message: string;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[]; input: Record<string, unknown> };

/**
 * Parses a submitted form with a zod schema whose messages are locale keys. On failure gives one error per field
 * (the first), in the form's field order, and the input as the person typed it, to show the form again.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (!errors.some((error) => error.field === field)) errors.push({ field, message: issue.message });
  }
  return { ok: false, errors, input };
}
