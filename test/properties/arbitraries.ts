import fc from 'fast-check';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';

/** Runs per property: enough to find the usual hostile inputs, few enough that the directory runs in a minute. */
export const RUNS = { numRuns: 40 } as const;

/** The day the properties treat as today (dates of birth after it are refused). */
export const TODAY = new Date('2026-11-28T12:00:00Z');

/** Control characters (C0, DEL, C1) and the invisible bidi and direction marks that reorder what a reader sees. */
export const FORBIDDEN_CHARACTERS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/** A real date of birth between 1900-01-01 and the day before TODAY, as YYYYMMDD. */
export const birthDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date(TODAY.getTime() - 86_400_000), noInvalidDate: true })
  .map((date) => `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`);

/** A valid 12-digit personnummer, or a samordningsnummer (day + 60); the serial 000 is never issued. */
export const validPersonalIdentityNumber = fc
  .tuple(birthDate, fc.integer({ min: 1, max: 999 }), fc.boolean())
  .map(([date, serial, coordination]) => {
    const day = Number(date.slice(6, 8)) + (coordination ? 60 : 0);
    const eleven = `${date.slice(0, 6)}${pad(day)}${pad(serial, 3)}`;
    return `${eleven}${luhnCheckDigit(eleven.slice(2))}`;
  });

/** A valid 10-digit organisation number (the first digit is a group number, 1–9; the third is 2 or more). */
export const validOrganisationNumber = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 20, max: 99 }))
  .chain(([group, second, third]) =>
    fc
      .integer({ min: 0, max: 99_999 })
      .map((rest) => `${group}${second}${third}${pad(rest, 5)}`)
      .map((nine) => `${nine}${luhnCheckDigit(nine)}`),
  );

/** The same digits with the last (check) digit replaced by any other digit. */
export const withOtherCheckDigit = (digits: string, other: number): string => {
  const last = Number(digits.slice(-1));
  return `${digits.slice(0, -1)}${(last + 1 + (other % 9)) % 10}`;
};

/** Strings that go wrong in forms: markup, SQL, control and bidi characters, confusables, huge values. */
const HOSTILE_CONSTANTS = [
  '<script>alert(1)</script>',
  '"><script>alert(document.cookie)</script>',
  "<img src=x onerror='alert(1)'>",
  'javascript:alert(1)',
  "'; drop table persons; --",
  "' or '1'='1",
  '1; select pg_sleep(5)',
  '%00',
  '\u0000',
  'Eva\u0000Ek',
  'Eva\nEk',
  'line\r\nbreak',
  '\t\u000b\f',
  '\u001b[31mred',
  '\u007f\u0085\u009b',
  'Anna\u202Eedoc',
  '\u2066Ek\u2069',
  '\u200f\u200e\u061c',
  '\u200b\u200c\u200d\ufeff',
  'Аnna Веrgström', // Cyrillic А and В
  'ｅｖａ＠ｅｘａｍｐｌｅ．ｓｅ',
  'eva@exаmple.se', // Cyrillic а
  'e\u0301va',
  '\ud83d\ude00',
  '\ud800',
  '{{constructor.constructor("alert(1)")()}}',
  '<%= process.env %>',
  '../../etc/passwd',
  '   ',
  '',
  '__proto__',
  'a@b',
  'eva@example.se\n',
  '19121212-1212\u0000',
];

/** Malformed and near-miss personal identity numbers and organisation numbers. */
export const malformedNumber = fc.oneof(
  validPersonalIdentityNumber.chain((pin) =>
    fc.constantFrom(
      withOtherCheckDigit(pin, 0),
      `${pin.slice(0, 8)}-${withOtherCheckDigit(pin, 3).slice(8)}`,
      pin.slice(0, 11),
      `${pin}0`,
      `${pin.slice(0, 4)}13${pin.slice(6)}`,
      `${pin.slice(0, 6)}32${pin.slice(8)}`,
      `${pin.slice(0, 8)}--${pin.slice(8)}`,
      `${pin.slice(0, 8)}+${pin.slice(8)}`,
      pin.replace(/1/g, 'l'),
      pin.replace(/0/g, 'O'),
      pin.replace(/[0-9]/g, (digit) => String.fromCodePoint(0xff10 + Number(digit))), // full-width digits
      pin.replace(/[0-9]/g, (digit) => String.fromCodePoint(0x0660 + Number(digit))), // Arabic-Indic digits
      `${pin}\u0000`,
      `\u202E${pin}`,
      `20991231${pin.slice(8)}`,
    ),
  ),
  validOrganisationNumber.map((org) => withOtherCheckDigit(org, 1)),
  validOrganisationNumber.map((org) => `16${org.slice(0, 6)}+${org.slice(6)}`),
  fc.stringMatching(/^[0-9]{1,14}$/),
  fc.stringMatching(/^[0-9 +-]{0,20}$/),
);

/** Any text a hostile client could send in one form field. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_CONSTANTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: malformedNumber },
  { weight: 1, arbitrary: fc.integer({ min: 201, max: 120_000 }).map((length) => 'x'.repeat(length)) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_CONSTANTS), fc.string({ maxLength: 8 })), { maxLength: 4 })
      .map((parts) => parts.join('')),
  },
);

/** A form field's value as the body parser gives it: usually text, sometimes repeated (an array), sometimes absent. */
export type FieldValue = string | string[] | undefined;

export const hostileValue: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/**
 * Values for a form's fields. Half the time each field is hostile or (where given) plausible at random; otherwise
 * every field is plausible but one, which is hostile, so that the hostile value meets a form that would be accepted.
 */
export function hostileForm(
  fields: readonly string[],
  plausible: Record<string, fc.Arbitrary<FieldValue>> = {},
): fc.Arbitrary<Record<string, FieldValue>> {
  const mixed = fc.record(
    Object.fromEntries(
      fields.map((field) => {
        const good = plausible[field];
        return [field, good ? fc.oneof(hostileValue, good) : hostileValue];
      }),
    ),
  );
  if (fields.length === 0) return mixed;
  const oneHostile = fc
    .nat({ max: fields.length - 1 })
    .chain((hostileIndex) =>
      fc.record(
        Object.fromEntries(
          fields.map((field, index) => [
            field,
            index === hostileIndex ? hostileValue : (plausible[field] ?? hostileValue),
          ]),
        ),
      ),
    );
  return fc.oneof(mixed, oneHostile);
}
