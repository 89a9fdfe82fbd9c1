import type { Knex } from 'knex';
import type { SigningService } from '../auth/signing';
import type { Config } from '../config';
import type { FieldError } from '../web/forms';

export interface OnboardingContext {
  db: Knex;
  now: () => number;
  signing: SigningService;
  config: Config;
  invitationValidityDays: number;
}

/** Who acts, and the HTTP request it came with (for the audit log). */
export interface ActingPerson {
  personId: string;
  requestId: string | undefined;
}

/** The outcome of a submitted form: done, or the errors (locale keys) to show with the input kept. */
export type FormOutcome<T> =
  { ok: true; value: T } | { ok: false; errors: FieldError[]; input: Record<string, unknown> };

export function inputOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

export function fieldError<T>(body: unknown, field: string, message: string): FormOutcome<T> {
  return { ok: false, errors: [{ field, message }], input: inputOf(body) };
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: name } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && name === constraint;
}
