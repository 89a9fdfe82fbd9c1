/**
 * Swedish personal identity numbers (personnummer, samordningsnummer) and organisation numbers.
 *
 * Stored forms: 12 digits YYYYMMDDNNNC for persons, 10 digits for organisations. The check digit C is a Luhn
 * digit over the 10 digits YYMMDDNNN(C); a samordningsnummer adds 60 to the day of birth. The database checks the
 * same rules (personal_identity_number_valid, luhn_valid), apart from dates in the future, which need the clock.
 */

import Personnummer from 'personnummer';

const COORDINATION_DAY_OFFSET = 60;
const EARLIEST_YEAR = 1800;

/** True when `digits` is a non-empty string of digits whose last digit is a correct Luhn check digit. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  return luhnSum(digits) % 10 === 0;
}

/** The Luhn check digit to append to `digits` (all digits, without the check digit). */
export function luhnCheckDigit(digits: string): string {
  if (!/^[0-9]+$/.test(digits)) throw new Error('luhnCheckDigit needs digits');
  return String((10 - (luhnSum(`${digits}0`) % 10)) % 10);
}

function luhnSum(digits: string): number {
  let total = 0;
  for (let place = 0; place < digits.length; place++) {
    // place 0 is the rightmost digit; every second digit from it is doubled
    let digit = Number(digits[digits.length - 1 - place]);
    if (place % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return total;
}

// sv-SE formats as YYYY-MM-DD. Made once: building a formatter costs far more than using one (the import checks a
// million numbers).
const SWEDISH_DATE = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' });

/** Today's date in Sweden as YYYYMMDD, whatever the server's time zone. */
function swedishDate(today: Date): string {
  return SWEDISH_DATE.format(today).replace(/-/g, '');
}

/** The real date of birth in a 12-digit number as YYYYMMDD, or null when there is no such date. */
function birthDate(twelveDigits: string): string | null {
  const year = Number(twelveDigits.slice(0, 4));
  const month = Number(twelveDigits.slice(4, 6));
  let day = Number(twelveDigits.slice(6, 8));
  if (day > COORDINATION_DAY_OFFSET) day -= COORDINATION_DAY_OFFSET;
  if (year < EARLIEST_YEAR || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${twelveDigits.slice(0, 6)}${String(day).padStart(2, '0')}`;
}

const PERSONNUMMER_OPTIONS = { allowCoordinationNumber: true, allowInterimNumber: false };

/**
 * Accepts a personnummer or samordningsnummer as typed (YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDDNNNN or
 * YYMMDD+NNNN; spaces ignored) and returns its 12 digits, or null when it is malformed, fails the check digit or
 * names a date that does not exist or lies after `today`. The parsing (century from the separator, as Skatteverket
 * gives it) is the `personnummer` package's.
 */
export function normalisePersonalIdentityNumber(input: string, today: Date): string | null {
  const compact = input.replace(/\s/g, '');
  if (!/^(?:[0-9]{8}-?|[0-9]{6}[-+]?)[0-9]{4}$/.test(compact)) return null;
  if (!Personnummer.valid(compact, PERSONNUMMER_OPTIONS)) return null;
  const twelve = Personnummer.parse(compact, PERSONNUMMER_OPTIONS).format(true);
  const born = /^[0-9]{12}$/.test(twelve) ? birthDate(twelve) : null;
  if (born === null || born > swedishDate(today)) return null;
  return luhnValid(twelve.slice(2)) ? twelve : null;
}

/** YYYYMMDD-NNNN for display; anything that is not 12 digits comes back unchanged. */
export function formatPersonalIdentityNumber(twelveDigits: string): string {
  return /^[0-9]{12}$/.test(twelveDigits) ? `${twelveDigits.slice(0, 8)}-${twelveDigits.slice(8)}` : twelveDigits;
}

/** Shows the date of birth only: '19121212-****'. Anything that is not a 12-digit number is masked entirely. */
export function maskPersonalIdentityNumber(twelveDigits: string): string {
  const digits = twelveDigits.replace(/[\s-]/g, '');
  return /^[0-9]{12}$/.test(digits) ? `${digits.slice(0, 8)}-****` : '********-****';
}

/**
 * Accepts an organisation number as typed (NNNNNN-NNNN or 10 digits; also the 12-digit form with the prefix 16;
 * spaces ignored) and returns its 10 digits, or null when it is malformed or fails the Luhn check.
 */
export function normaliseOrganisationNumber(input: string): string | null {
  const match = /^(?:16)?([0-9]{6})-?([0-9]{4})$/.exec(input.replace(/\s/g, ''));
  if (!match) return null;
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`;
  return luhnValid(digits) ? digits : null;
}

export function isValidOrganisationNumber(input: string): boolean {
  return normaliseOrganisationNumber(input) !== null;
}

/** NNNNNN-NNNN for display; anything that is not 10 digits comes back unchanged. */
export function formatOrganisationNumber(tenDigits: string): string {
  return /^[0-9]{10}$/.test(tenDigits) ? `${tenDigits.slice(0, 6)}-${tenDigits.slice(6)}` : tenDigits;
}
