import { z } from 'zod';

/**
 * End dates of time-limited permissions and appointments. The form asks for the last day the permission holds
 * ("Giltig till och med"); the database stores the moment it ends: the start of the next day in Swedish time. So the
 * decision API's `expires_at <= now` denies from midnight after the last day, whatever the daylight-saving offset.
 */
const ZONE = 'Europe/Stockholm';
const DAY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The wall-clock time in Stockholm at `at`, read as if it were UTC (milliseconds). */
function wallClock(at: number): number {
  const value = (type: string) => Number(parts.formatToParts(at).find((part) => part.type === type)?.value);
  return Date.UTC(value('year'), value('month') - 1, value('day'), value('hour'), value('minute'), value('second'));
}

/** The day in Stockholm at `at`, as `YYYY-MM-DD`. */
export function stockholmDay(at: Date): string {
  return new Date(wallClock(at.getTime())).toISOString().slice(0, 10);
}

/** The moment a permission valid through `day` (`YYYY-MM-DD`) ends: 00:00 Swedish time the next day. */
export function endMomentOf(day: string): Date {
  const match = DAY.exec(day);
  if (!match) throw new Error('not a day');
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  // the offset at the guess, then at the corrected guess (midnight is never in a daylight-saving gap in Sweden)
  const guess = wall - (wallClock(wall) - wall);
  return new Date(wall - (wallClock(guess) - guess));
}

/** The last day a permission ending at `moment` holds (`YYYY-MM-DD`, Swedish time): the inverse of endMomentOf. */
export function lastDayOf(moment: Date): string {
  return stockholmDay(new Date(moment.getTime() - 1));
}

function isCalendarDay(day: string): boolean {
  const match = DAY.exec(day);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === day;
}

/**
 * The optional "valid until" field: empty means no end date (undefined); otherwise a calendar day after today in
 * Sweden, at most ten years ahead, given as the end moment. Messages are locale keys.
 */
export function endDateSchema(today: Date) {
  const first = stockholmDay(today);
  const last = `${String(Number(first.slice(0, 4)) + 10)}${first.slice(4)}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
    z
      .string()
      .refine(isCalendarDay, 'expiry.errors.dateInvalid')
      .refine((day) => day > first, 'expiry.errors.dateNotFuture')
      .refine((day) => day <= last, 'expiry.errors.dateTooFar')
      .transform(endMomentOf)
      .optional(),
  );
}
