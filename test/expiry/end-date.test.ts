import { describe, expect, it } from 'vitest';
import { endDateSchema, endMomentOf, lastDayOf, stockholmDay } from '../../src/permissions/end-date';

describe('end dates', () => {
  it('end at midnight Swedish time after the last day, in winter and in summer time', () => {
    expect(endMomentOf('2026-12-31').toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(endMomentOf('2027-06-30').toISOString()).toBe('2027-06-30T22:00:00.000Z');
    // the night the clocks go forward (28 March 2027) and back (31 October 2027)
    expect(endMomentOf('2027-03-27').toISOString()).toBe('2027-03-27T23:00:00.000Z');
    expect(endMomentOf('2027-03-28').toISOString()).toBe('2027-03-28T22:00:00.000Z');
    expect(endMomentOf('2027-10-30').toISOString()).toBe('2027-10-30T22:00:00.000Z');
    expect(endMomentOf('2027-10-31').toISOString()).toBe('2027-10-31T23:00:00.000Z');
  });

  it('give back the last day from the end moment', () => {
    for (const day of ['2026-12-31', '2027-03-27', '2027-03-28', '2027-10-30', '2027-10-31', '2028-02-29']) {
      expect(lastDayOf(endMomentOf(day))).toBe(day);
    }
    expect(stockholmDay(new Date('2026-11-28T23:30:00Z'))).toBe('2026-11-29');
  });

  it('accept an empty field or a real day after today, at most ten years ahead', () => {
    const schema = endDateSchema(new Date('2026-11-28T22:59:00Z'));
    const message = (value: string) => {
      const result = schema.safeParse(value);
      return result.success ? result.data?.toISOString() : result.error.issues[0]?.message;
    };
    expect(message('')).toBeUndefined();
    expect(message(' 2026-11-29 ')).toBe('2026-11-29T23:00:00.000Z');
    expect(message('2026-11-28')).toBe('expiry.errors.dateNotFuture');
    expect(message('2027-02-29')).toBe('expiry.errors.dateInvalid');
    expect(message('29/11/2026')).toBe('expiry.errors.dateInvalid');
    expect(message('2036-11-28')).toBe('2036-11-28T23:00:00.000Z');
    expect(message('2036-11-29')).toBe('expiry.errors.dateTooFar');
  });
});
