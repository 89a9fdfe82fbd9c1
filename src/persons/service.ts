import type { Knex } from 'knex';
import * as repository from './repository';

export type { ContactFilled, PersonRow } from './repository';
/** For other features' transactions: find a person by number, or create them (see the function's rule). */
export { contactCompletion, findOrCreateByNumber as findOrCreatePerson } from './repository';

/** The persons feature: who a person is, when they last logged in, what roles they hold. */
export function personsService(db: Knex, now: () => number) {
  return {
    /** Records a verified e-ID login: the person is found by personal identity number, or created. */
    recordLogin(person: {
      personalIdentityNumber: string;
      givenName: string;
      familyName: string;
      displayName: string;
    }) {
      return repository.upsertOnLogin(db, person, new Date(now()));
    },
    find(id: string) {
      return repository.findById(db, id);
    },
  };
}

export type PersonsService = ReturnType<typeof personsService>;
