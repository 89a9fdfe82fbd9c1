import { createHmac } from 'node:crypto';
import type { TestPerson } from './types';

const COORDINATION_DAY_OFFSET = 60;

/** The persistent NameID: a pseudonym per person and SP, as Sweden Connect IdPs give (never the number itself). */
export function pseudonym(secret: Buffer, spEntityId: string, personalIdentityNumber: string): string {
  return createHmac('sha256', secret).update(`${spEntityId}\n${personalIdentityNumber}`).digest('hex');
}

/** YYYY-MM-DD from a 12-digit number; a samordningsnummer's day has 60 added. */
export function dateOfBirth(personalIdentityNumber: string): string {
  const day = Number(personalIdentityNumber.slice(6, 8));
  const realDay = day > COORDINATION_DAY_OFFSET ? day - COORDINATION_DAY_OFFSET : day;
  return `${personalIdentityNumber.slice(0, 4)}-${personalIdentityNumber.slice(4, 6)}-${String(realDay).padStart(2, '0')}`;
}

/** The listed test person with this number, or a made-up one for a number typed on the page. */
export function personFor(personalIdentityNumber: string, persons: readonly TestPerson[]): TestPerson {
  return (
    persons.find((person) => person.personalIdentityNumber === personalIdentityNumber) ?? {
      personalIdentityNumber,
      givenName: 'Tess',
      familyName: 'Testsson',
      displayName: 'Tess Testsson',
    }
  );
}
