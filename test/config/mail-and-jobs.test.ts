import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

function variableOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config: email delivery and scheduled jobs', () => {
  it('defaults to 10 attempts, a 10-minute lease, 18 months of inactivity, reminders every 30 days, jobs on', () => {
    const config = loadConfig({});
    expect(config.mail).toMatchObject({ maxAttempts: 10, leaseMinutes: 10 });
    expect(config.inactivity).toEqual({ months: 18, reminderDays: 30 });
    expect(config.jobs).toBe(true);
  });

  it('reads the variables', () => {
    const config = loadConfig({
      MAIL_MAX_ATTEMPTS: '4',
      MAIL_LEASE_MINUTES: '15',
      INACTIVITY_MONTHS: '12',
      INACTIVITY_REMINDER_DAYS: '14',
      JOBS: 'false',
    });
    expect(config.mail).toMatchObject({ maxAttempts: 4, leaseMinutes: 15 });
    expect(config.inactivity).toEqual({ months: 12, reminderDays: 14 });
    expect(config.jobs).toBe(false);
  });

  it('names the variable that is not a positive whole number', () => {
    expect(variableOf({ MAIL_MAX_ATTEMPTS: '0' })).toBe('MAIL_MAX_ATTEMPTS');
    expect(variableOf({ MAIL_LEASE_MINUTES: 'soon' })).toBe('MAIL_LEASE_MINUTES');
    expect(variableOf({ INACTIVITY_MONTHS: '-18' })).toBe('INACTIVITY_MONTHS');
    expect(variableOf({ INACTIVITY_REMINDER_DAYS: '1.5' })).toBe('INACTIVITY_REMINDER_DAYS');
    expect(variableOf({ JOBS: 'yes' })).toBe('JOBS');
  });

  it('turns periodic access reviews off by default, and reads and checks their variables', () => {
    expect(loadConfig({}).reviews).toEqual({ months: 0, days: 30, reminderDays: 7 });
    const config = loadConfig({
      ACCESS_REVIEW_MONTHS: '6',
      ACCESS_REVIEW_DAYS: '21',
      ACCESS_REVIEW_REMINDER_DAYS: '5',
    });
    expect(config.reviews).toEqual({ months: 6, days: 21, reminderDays: 5 });
    expect(variableOf({ ACCESS_REVIEW_MONTHS: '-1' })).toBe('ACCESS_REVIEW_MONTHS');
    expect(variableOf({ ACCESS_REVIEW_MONTHS: 'half-yearly' })).toBe('ACCESS_REVIEW_MONTHS');
    expect(variableOf({ ACCESS_REVIEW_DAYS: '0' })).toBe('ACCESS_REVIEW_DAYS');
    expect(variableOf({ ACCESS_REVIEW_REMINDER_DAYS: '1.5' })).toBe('ACCESS_REVIEW_REMINDER_DAYS');
  });
});
