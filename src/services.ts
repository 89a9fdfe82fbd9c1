import type { Knex } from 'knex';
import { apiClientsService } from './api/clients';
import { decisionService } from './api/service';
import type { SamlSetup } from './auth/saml-setup';
import { signingService } from './auth/signing';
import { auditHistoryService } from './audit/history-service';
import { administratorsService } from './administrators/service';
import type { Config } from './config';
import { contextService } from './context/service';
import { employersService } from './employers/service';
import { launchService } from './launch/service';
import { onboardingService } from './onboarding/service';
import { permissionsService } from './permissions/service';
import { personsService } from './persons/service';
import { requestsService } from './requests/service';
import { reviewsService } from './reviews/service';
import { termsService } from './staff/terms-service';

/** Every feature's service, wired by hand from the database, the clock and the SAML set-up. */
export function createServices(db: Knex, now: () => number, saml: SamlSetup, config: Config) {
  const signing = signingService(db, saml, now);
  return {
    persons: personsService(db, now),
    history: auditHistoryService(db),
    context: contextService(db, now),
    administrators: administratorsService(db, now, config),
    permissions: permissionsService(db, now, config),
    requests: requestsService(db, now, config),
    reviews: reviewsService(db, now, config),
    signing,
    employers: employersService(db, now),
    terms: termsService(db, now),
    decisions: decisionService(db, now),
    apiClients: apiClientsService(db, now),
    launch: launchService(db, now, { baseUrl: config.baseUrl }),
    onboarding: onboardingService(db, now, signing, config, { invitationValidityDays: config.invitationValidityDays }),
  };
}

export type Services = ReturnType<typeof createServices>;
