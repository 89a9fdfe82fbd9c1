import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatOrganisationNumber,
  formatPersonalIdentityNumber,
  luhnValid,
  maskPersonalIdentityNumber,
  normaliseOrganisationNumber,
  normalisePersonalIdentityNumber,
} from '../../src/domain/identity-numbers';
import {
  hostileString,
  malformedNumber,
  RUNS,
  TODAY,
  validOrganisationNumber,
  validPersonalIdentityNumber,
  withOtherCheckDigit,
} from './arbitraries';

/** Whitespace a person may type inside a number (spaces, a tab, a no-break space). */
const withSpaces = (value: string, cuts: number[]): string => {
  let spaced = value;
  for (const cut of [...cuts].sort((a, b) => b - a)) {
    const at = cut % (spaced.length + 1);
    spaced = `${spaced.slice(0, at)} ${spaced.slice(at)}`;
  }
  return ` ${spaced}\u00a0`;
};

/** The 10-digit form with the separator Skatteverket gives it: `+` from the 100th birthday on. */
function shortForm(twelve: string, today: Date): string | null {
  const day = Number(twelve.slice(6, 8));
  const born = Date.UTC(Number(twelve.slice(0, 4)), Number(twelve.slice(4, 6)) - 1, day > 60 ? day - 60 : day);
  const hundredth = new Date(born);
  hundredth.setUTCFullYear(hundredth.getUTCFullYear() + 100);
  // a birthday this close to the 100th is read against the wall clock by the parser: leave it out
  if (Math.abs(hundredth.getTime() - today.getTime()) < 3 * 86_400_000) return null;
  const separator = hundredth.getTime() <= today.getTime() ? '+' : '-';
  return `${twelve.slice(2, 8)}${separator}${twelve.slice(8)}`;
}

describe('personal identity numbers (properties)', () => {
  it('never throws, and gives either null or 12 digits with a real past date and a correct check digit', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, malformedNumber), (input) => {
        const normalised = normalisePersonalIdentityNumber(input, TODAY);
        if (normalised === null) return;
        expect(normalised).toMatch(/^[0-9]{12}$/);
        expect(luhnValid(normalised.slice(2))).toBe(true);
        expect(normalised.slice(0, 8) <= '20261128').toBe(true);
      }),
      RUNS,
    );
  });

  it('accepts every valid number in each written form, and gives back the same 12 digits', () => {
    fc.assert(
      fc.property(validPersonalIdentityNumber, fc.array(fc.nat(), { maxLength: 3 }), (pin, cuts) => {
        expect(normalisePersonalIdentityNumber(pin, TODAY)).toBe(pin);
        expect(normalisePersonalIdentityNumber(formatPersonalIdentityNumber(pin), TODAY)).toBe(pin);
        expect(normalisePersonalIdentityNumber(withSpaces(formatPersonalIdentityNumber(pin), cuts), TODAY)).toBe(pin);
        const short = shortForm(pin, new Date());
        if (short !== null) expect(normalisePersonalIdentityNumber(short, TODAY)).toBe(pin);
      }),
      RUNS,
    );
  });

  it('is idempotent: a normalised number normalises to itself, and formatting round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(validPersonalIdentityNumber, malformedNumber, hostileString), (input) => {
        const once = normalisePersonalIdentityNumber(input, TODAY);
        if (once === null) return;
        expect(normalisePersonalIdentityNumber(once, TODAY)).toBe(once);
        expect(normalisePersonalIdentityNumber(formatPersonalIdentityNumber(once), TODAY)).toBe(once);
      }),
      RUNS,
    );
  });

  it('always refuses a wrong check digit, however the number is written', () => {
    fc.assert(
      fc.property(validPersonalIdentityNumber, fc.nat(), (pin, other) => {
        const wrong = withOtherCheckDigit(pin, other);
        expect(normalisePersonalIdentityNumber(wrong, TODAY)).toBeNull();
        expect(normalisePersonalIdentityNumber(formatPersonalIdentityNumber(wrong), TODAY)).toBeNull();
        expect(normalisePersonalIdentityNumber(wrong.slice(2), TODAY)).toBeNull();
      }),
      RUNS,
    );
  });

  it('refuses a date of birth after today', () => {
    fc.assert(
      fc.property(validPersonalIdentityNumber, fc.integer({ min: 1, max: 3_000 }), (pin, daysAhead) => {
        const day = Number(pin.slice(6, 8));
        const born = Date.UTC(Number(pin.slice(0, 4)), Number(pin.slice(4, 6)) - 1, day > 60 ? day - 60 : day);
        const before = new Date(born - daysAhead * 86_400_000);
        expect(normalisePersonalIdentityNumber(pin, before)).toBeNull();
      }),
      RUNS,
    );
  });

  it('masks all but the date of birth, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(validPersonalIdentityNumber, hostileString), (input) => {
        const masked = maskPersonalIdentityNumber(input);
        expect(masked).toMatch(/^(?:[0-9]{8}|\*{8})-\*{4}$/);
        // what is shown is the input's own first eight digits and nothing after them (the last four may also
        // occur inside the date, as in 19340109-0109, so "does not contain them" would not be the property)
        const digits = input.replace(/[\s-]/g, '');
        const shown = masked.slice(0, 8);
        if (shown !== '********') expect(shown).toBe(digits.slice(0, 8));
        if (/^[0-9]{12}$/.test(digits)) expect(masked).toBe(`${digits.slice(0, 8)}-****`);
      }),
      { ...RUNS, examples: [['193401090109'], ['19340109-0109']] },
    );
  });
});

describe('organisation numbers (properties)', () => {
  it('never throws, and gives either null or 10 digits with a correct check digit', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, malformedNumber), (input) => {
        const normalised = normaliseOrganisationNumber(input);
        if (normalised === null) return;
        expect(normalised).toMatch(/^[0-9]{10}$/);
        expect(luhnValid(normalised)).toBe(true);
        expect(normaliseOrganisationNumber(normalised)).toBe(normalised);
      }),
      RUNS,
    );
  });

  it('accepts every valid number in each written form, and formatting round-trips', () => {
    fc.assert(
      fc.property(validOrganisationNumber, fc.array(fc.nat(), { maxLength: 3 }), (org, cuts) => {
        expect(normaliseOrganisationNumber(org)).toBe(org);
        expect(normaliseOrganisationNumber(formatOrganisationNumber(org))).toBe(org);
        expect(normaliseOrganisationNumber(`16${org}`)).toBe(org);
        expect(normaliseOrganisationNumber(withSpaces(formatOrganisationNumber(org), cuts))).toBe(org);
      }),
      RUNS,
    );
  });

  it('always refuses a wrong check digit', () => {
    fc.assert(
      fc.property(validOrganisationNumber, fc.nat(), (org, other) => {
        const wrong = withOtherCheckDigit(org, other);
        expect(normaliseOrganisationNumber(wrong)).toBeNull();
        expect(normaliseOrganisationNumber(formatOrganisationNumber(wrong))).toBeNull();
      }),
      RUNS,
    );
  });
});
