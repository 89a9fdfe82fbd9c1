import { z } from 'zod';
import {
  formatOrganisationNumber,
  luhnValid,
  normaliseOrganisationNumber,
  normalisePersonalIdentityNumber,
} from '../domain/identity-numbers';

/** The header of the old records' export, exactly (see README, "Import from the old records"). */
export const COLUMNS = [
  'organisation_number',
  'employer_name',
  'employer_code',
  'employer_code_active',
  'personal_identity_number',
  'name',
  'email',
  'service',
  'last_login',
] as const;

/** One row of the file that passed every check a row can pass on its own, normalised for the staging table. */
export interface ImportRow {
  line: number;
  organisationNumber: string;
  employerName: string;
  employerCode: string;
  employerCodeActive: boolean;
  /** 12 digits. */
  personalIdentityNumber: string;
  name: string;
  email: string | null;
  serviceKey: string;
  /** An instant (ISO 8601, UTC), or null when the person never logged in. */
  lastLoginAt: string | null;
}

export interface Refusal {
  line: number;
  reason: string;
}

export interface RowContext {
  /** Keys of the `services` table. */
  serviceKeys: ReadonlySet<string>;
  now: Date;
}

const MAX_NAME = 200;
const MAX_EMAIL = 254;
const CODE = /^[A-Za-z0-9-]{1,20}$/;
const ACTIVE: Readonly<Record<string, boolean>> = { ja: true, nej: false, true: true, false: false, 1: true, 0: false };
const PERSONAL_NUMBER_FORM = /^(?:[0-9]{8}-?|[0-9]{6}[-+]?)[0-9]{4}$/;
const ORGANISATION_NUMBER_FORM = /^(?:16)?[0-9]{6}-?[0-9]{4}$/;
const EMAIL = z.regexes.email;

/**
 * Checks one record of the file (its fields as parsed) and gives either the normalised row or every reason it is
 * refused. What needs other rows or the database (duplicates, a code's employer) is checked later, in SQL.
 */
export function checkRecord(
  fields: readonly string[],
  line: number,
  context: RowContext,
): { row: ImportRow; reasons?: undefined } | { reasons: string[] } {
  if (fields.length !== COLUMNS.length) {
    return { reasons: [`wrong number of fields: ${fields.length} (expected ${COLUMNS.length})`] };
  }
  if (fields.some((field) => field.includes('\uFFFD')))
    return { reasons: ['not valid UTF-8 (save the file as UTF-8)'] };
  const [organisation, employerName, employerCode, active, personal, name, email, service, lastLogin] = fields.map(
    (field) => field.trim(),
  ) as [string, string, string, string, string, string, string, string, string];
  const reasons: string[] = [];
  const note = (reason: string | null) => {
    if (reason !== null) reasons.push(reason);
  };
  note(organisationNumberProblem(organisation));
  note(textProblem(employerName, 'employer name'));
  if (employerCode === '') note('employer code is missing');
  else if (!CODE.test(employerCode)) note(`employer code "${employerCode}" is not 1-20 letters, digits or hyphens`);
  const activeFlag = ACTIVE[active.toLowerCase()];
  if (activeFlag === undefined) note(`employer_code_active "${active}" is not ja or nej (or true/false, 1/0)`);
  const personalIdentityNumber = normalisePersonalIdentityNumber(personal, context.now);
  if (personalIdentityNumber === null) note(personalNumberProblem(personal));
  note(textProblem(name, 'name'));
  if (email !== '' && (email.length > MAX_EMAIL || !EMAIL.test(email))) note(`bad email address "${email}"`);
  if (service === '') note('service is missing');
  else if (!context.serviceKeys.has(service)) {
    note(`unknown service "${service}" (known: ${[...context.serviceKeys].sort().join(', ')})`);
  }
  const login = parseLastLogin(lastLogin, context.now);
  if ('problem' in login) note(login.problem);
  if (reasons.length > 0 || personalIdentityNumber === null || activeFlag === undefined || 'problem' in login) {
    return { reasons };
  }
  return {
    row: {
      line,
      organisationNumber: normaliseOrganisationNumber(organisation) ?? organisation,
      employerName,
      employerCode,
      employerCodeActive: activeFlag,
      personalIdentityNumber,
      name,
      email: email === '' ? null : email,
      serviceKey: service,
      lastLoginAt: login.at,
    },
  };
}

function textProblem(value: string, what: string): string | null {
  if (value === '') return `${what} is missing`;
  if (value.length > MAX_NAME) return `${what} is longer than ${MAX_NAME} characters`;
  return null;
}

function organisationNumberProblem(value: string): string | null {
  if (value === '') return 'organisation number is missing';
  if (!ORGANISATION_NUMBER_FORM.test(value.replace(/\s/g, ''))) {
    return `organisation number "${value}" is not 10 digits (NNNNNN-NNNN)`;
  }
  if (normaliseOrganisationNumber(value) === null) {
    return `bad check digit in organisation number ${formatOrganisationNumber(value.replace(/[\s-]/g, ''))}`;
  }
  return null;
}

/** Why normalisePersonalIdentityNumber refused it; the number itself is never repeated (it is personal data). */
function personalNumberProblem(value: string): string {
  const compact = value.replace(/\s/g, '');
  if (compact === '') return 'personal identity number is missing';
  if (!PERSONAL_NUMBER_FORM.test(compact)) return 'personal identity number is not 12 digits (YYYYMMDD-NNNN)';
  if (!luhnValid(compact.replace(/[-+]/g, '').slice(-10))) return 'bad check digit in personal identity number';
  return 'personal identity number has a date of birth that does not exist or is in the future';
}

const DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$/;

/**
 * The last login as an instant: an ISO date (the start of that day in Sweden) or date-time (Swedish time unless
 * it carries Z or an offset); empty means never logged in. Refused when it is no real date or lies after `now`.
 */
export function parseLastLogin(value: string, now: Date): { at: string | null } | { problem: string } {
  if (value === '') return { at: null };
  const match = DATE_TIME.exec(value);
  const invalid = {
    problem: `last login "${value}" is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])`,
  };
  if (!match) return invalid;
  const [year, month, day, hour, minute, second] = (match.slice(1, 7) as (string | undefined)[]).map((part) =>
    Number(part ?? 0),
  ) as [number, number, number, number, number, number];
  const fraction = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  const check = new Date(wallClock);
  if (
    year < 1900 ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return invalid;
  }
  const zone = match[8];
  const instant = zone === undefined ? fromSwedishTime(wallClock) : wallClock - zoneOffsetMinutes(zone) * 60_000;
  if (instant > now.getTime()) return { problem: `last login ${value} is in the future` };
  return { at: new Date(instant).toISOString() };
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

const SWEDISH_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Stockholm', timeZoneName: 'longOffset' });
/** Sweden's UTC offset changes on the hour (UTC), so one look-up per hour serves a million rows. */
const offsetByHour = new Map<number, number>();

function swedishOffsetMinutes(instant: number): number {
  const hour = Math.floor(instant / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const name = SWEDISH_OFFSET.formatToParts(new Date(instant)).find((part) => part.type === 'timeZoneName');
    const zone = name?.value.replace('GMT', '') ?? '';
    offset = zone === '' ? 0 : zoneOffsetMinutes(zone);
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** The instant at which Swedish clocks showed this wall-clock time (the first one, in the autumn's repeated hour). */
function fromSwedishTime(wallClock: number): number {
  const guess = wallClock - swedishOffsetMinutes(wallClock) * 60_000;
  const corrected = wallClock - swedishOffsetMinutes(guess) * 60_000;
  return swedishOffsetMinutes(corrected) === swedishOffsetMinutes(guess) ? corrected : guess;
}
