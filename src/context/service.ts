import type { Knex } from 'knex';
import * as repository from './repository';

export type { ContactRow, ServiceRow } from './repository';

/** Which employer a person works for in the portal, and what they may do and see there. */
export function contextService(db: Knex, now: () => number) {
  const at = () => new Date(now());
  return {
    employersOf: (personId: string) => repository.employersOf(db, personId, at()),
    contextAt: (personId: string, employerId: string) => repository.contextAt(db, personId, employerId, at()),
    servicesOf: (personId: string, employerId: string) => repository.servicesOf(db, personId, employerId, at()),
    contactsOf: (employerId: string) => repository.contactsOf(db, employerId, at()),
  };
}

export type ContextService = ReturnType<typeof contextService>;
