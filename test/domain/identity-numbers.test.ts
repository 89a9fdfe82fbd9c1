import { describe, expect, it } from 'vitest';
import {
  formatOrganisationNumber,
  formatPersonalIdentityNumber,
  isValidOrganisationNumber,
  luhnCheckDigit,
  luhnValid,
  maskPersonalIdentityNumber,
  normaliseOrganisationNumber,
  normalisePersonalIdentityNumber,
} from '../../src/domain/identity-numbers';

const today = new Date('2026-11-27T12:00:00Z');

describe('luhnValid', () => {
  it.each(['1212121212', '8112189876', '2021005489', '0'])('accepts %s', (digits) => {
    expect(luhnValid(digits)).toBe(true);
  });

  it.each(['1212121213', '8112189875', '', '12a4', ' 1212121212', '-0'])('refuses %j', (digits) => {
    expect(luhnValid(digits)).toBe(false);
  });

  it('catches every single-digit error', () => {
    const valid = '8112189876';
    for (let place = 0; place < valid.length; place++) {
      for (let digit = 0; digit <= 9; digit++) {
        const changed = `${valid.slice(0, place)}${digit}${valid.slice(place + 1)}`;
        expect(luhnValid(changed), changed).toBe(changed === valid);
      }
    }
  });
});

describe('luhnCheckDigit', () => {
  it('completes digits into a valid number', () => {
    expect(luhnCheckDigit('121212121')).toBe('2');
    expect(luhnCheckDigit('811218987')).toBe('6');
    for (let n = 0; n < 500; n++) expect(luhnValid(`${n * 7919}${luhnCheckDigit(String(n * 7919))}`)).toBe(true);
  });
});

describe('normalisePersonalIdentityNumber', () => {
  it.each([
    ['191212121212', '191212121212'],
    ['19121212-1212', '191212121212'],
    [' 19121212 - 1212 ', '191212121212'],
    ['19811218-9876', '198112189876'],
    ['811218-9876', '198112189876'],
    ['8112189876', '198112189876'],
    ['121212+1212', '191212121212'],
  ])('reads %j as %j', (input, expected) => {
    expect(normalisePersonalIdentityNumber(input, today)).toBe(expected);
  });

  it('accepts 29 February in a leap year', () => {
    const leapDay = `20000229123${luhnCheckDigit('000229123')}`;
    expect(normalisePersonalIdentityNumber(leapDay, today)).toBe(leapDay);
  });

  it('gives a 10-digit number the century in which the person is under 100, or 100 and over after a plus', () => {
    const number = (yymmdd: string): string => `${yymmdd}123${luhnCheckDigit(`${yymmdd}123`)}`;
    expect(normalisePersonalIdentityNumber(number('260101'), today)).toBe(`20${number('260101')}`);
    expect(normalisePersonalIdentityNumber(number('270101'), today)).toBe(`19${number('270101')}`);
    expect(normalisePersonalIdentityNumber(number('261231'), today)).toBeNull(); // later this year: not born yet
    expect(normalisePersonalIdentityNumber(`${number('260101').slice(0, 6)}+${number('260101').slice(6)}`, today)).toBe(
      `19${number('260101')}`,
    );
    expect(normalisePersonalIdentityNumber(`${number('270101').slice(0, 6)}+${number('270101').slice(6)}`, today)).toBe(
      `18${number('270101')}`,
    );
  });

  it('reads the date in Swedish time', () => {
    const born = `20261128123${luhnCheckDigit('261128123')}`;
    expect(normalisePersonalIdentityNumber(born, new Date('2026-11-27T22:30:00Z'))).toBeNull();
    expect(normalisePersonalIdentityNumber(born, new Date('2026-11-27T23:30:00Z'))).toBe(born); // 00:30 in Stockholm
  });

  it('accepts a samordningsnummer (day of birth + 60)', () => {
    const coordination = `19121272123${luhnCheckDigit('121272123')}`;
    expect(normalisePersonalIdentityNumber(coordination, today)).toBe(coordination);
    expect(normalisePersonalIdentityNumber(`${coordination.slice(2, 8)}+${coordination.slice(8)}`, today)).toBe(
      coordination,
    );
    expect(normalisePersonalIdentityNumber(`${coordination.slice(2, 8)}-${coordination.slice(8)}`, today)).toBe(
      `20${coordination.slice(2)}`,
    );
  });

  it.each([
    ['a wrong check digit', '19121212-1213'],
    ['30 February', `19120230123${luhnCheckDigit('120230123')}`],
    ['29 February in a common year', `19010229123${luhnCheckDigit('010229123')}`],
    ['month 13', `19121312123${luhnCheckDigit('121312123')}`],
    ['day 00', `19121200123${luhnCheckDigit('121200123')}`],
    ['day 40', `19121240123${luhnCheckDigit('121240123')}`],
    ['a samordningsnummer on day 92', `19121292123${luhnCheckDigit('121292123')}`],
    ['a date in the future', `20300101123${luhnCheckDigit('300101123')}`],
    ['a year before 1800', `17991212123${luhnCheckDigit('991212123')}`],
    ['too few digits', '1212121212-1'],
    ['letters', '19121212-12AB'],
    ['two separators', '191212-12-1212'],
    ['a plus in a 12-digit number', '19121212+1212'],
    ['nothing', ''],
  ])('refuses %s', (_, input) => {
    expect(normalisePersonalIdentityNumber(input, today)).toBeNull();
  });
});

describe('maskPersonalIdentityNumber and formatPersonalIdentityNumber', () => {
  it('show the date of birth only', () => {
    expect(maskPersonalIdentityNumber('191212121212')).toBe('19121212-****');
    expect(maskPersonalIdentityNumber('19121212-1212')).toBe('19121212-****');
    expect(maskPersonalIdentityNumber('1212121212')).toBe('********-****');
    expect(formatPersonalIdentityNumber('191212121212')).toBe('19121212-1212');
  });
});

describe('organisation numbers', () => {
  it.each([
    ['202100-5489', '2021005489'],
    ['2021005489', '2021005489'],
    ['16202100-5489', '2021005489'],
    [' 202100 5489 ', '2021005489'],
    ['202100-5488', null],
    ['20210-5489', null],
    ['202100_5489', null],
    ['', null],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseOrganisationNumber(input)).toBe(expected);
    expect(isValidOrganisationNumber(input)).toBe(expected !== null);
  });

  it('formats ten digits with a hyphen', () => {
    expect(formatOrganisationNumber('2021005489')).toBe('202100-5489');
  });
});
