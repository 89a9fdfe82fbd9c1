import type { Knex } from 'knex';
import type { SamlSetup } from './auth/saml-setup';
import { signingService } from './auth/signing';
import { personsService } from './persons/service';

/** Every feature's service, wired by hand from the database, the clock and the SAML set-up. */
export function createServices(db: Knex, now: () => number, saml: SamlSetup) {
  return {
    persons: personsService(db, now),
    signing: signingService(db, saml, now),
  };
}

export type Services = ReturnType<typeof createServices>;
