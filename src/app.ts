import path from 'node:path';
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Config } from './config';
import type { Logger } from './logger';
import { setUpDecisionApi } from './api/routes';
import { authRoutes } from './auth/routes';
import { identityProviderOrigins, setUpSaml } from './auth/saml-setup';
import { createServices, type Services } from './services';
import { devMailboxRoutes } from './mail/dev-mailbox-routes';
import { mailStaffRoutes } from './mail/staff-routes';
import { onboardingRoutes } from './onboarding/routes';
import { permissionsRoutes } from './permissions/routes';
import { requestsRoutes } from './requests/routes';
import { reviewsRoutes } from './reviews/routes';
import { staffRoutes } from './staff/routes';
import { launchRoutes } from './launch/routes';
import { startRoutes } from './start/routes';
import { administratorsRoutes } from './administrators/routes';
import { auditRoutes } from './audit/routes';
import { setUpEmployerContext } from './context/middleware';
import { contextRoutes } from './context/routes';
import { setUpCurrentPerson } from './web/current-person';
import { setUpMailWakeUp } from './web/mail-wake-up';
import { auditRefusals, setUpAccess } from './web/access';
import { setUpCsrf } from './web/csrf';
import { setUpErrorHandling } from './web/error-handling';
import { setUpHealthChecks } from './web/health';
import { createI18n, setUpI18n } from './web/i18n';
import { setUpLocals } from './web/locals';
import { setUpRateLimits } from './web/rate-limits';
import { setUpMetrics } from './web/metrics';
import { setUpRequestLogging } from './web/request-logging';
import { setUpSecurityHeaders } from './web/security-headers';
import { createSessionStore, setUpSession } from './web/session';
import { setUpStaticFiles } from './web/static-files';

export interface AppDependencies {
  config: Config;
  db: Knex;
  /** A pg pool for the session store (connect-pg-simple speaks pg, not knex). */
  sessionPool: pg.Pool;
  logger: Logger;
  /** Milliseconds since epoch; tests move it. */
  now: () => number;
  /** Starts a mail delivery round now (after a change); the job queue also delivers every minute. */
  wakeMail: () => Promise<void>;
}

const VIEWS_DIR = path.resolve(import.meta.dirname, '../views');

/** The ordered recipe of the web app: each step is one small function under src/web/. */
export interface Portal {
  app: Express;
  /** The services the app was built with (the same ones its routes use). */
  services: Services;
}

export async function createApp(deps: AppDependencies): Promise<Portal> {
  const { config } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.disable('x-powered-by');

  const i18n = await createI18n();
  const saml = await setUpSaml({ config, db: deps.db, now: deps.now, i18n });
  const services = createServices(deps.db, deps.now, saml, config);

  setUpRequestLogging(app, deps.logger);
  setUpMetrics(app, { db: deps.db, token: config.metricsToken });
  setUpHealthChecks(app, deps.db);
  setUpSecurityHeaders(app, { production: config.isProduction, formTargets: identityProviderOrigins(saml) });
  // The decision API: JSON with a bearer token, so before the session, CSRF, i18n and templates.
  setUpDecisionApi(app, {
    db: deps.db,
    now: deps.now,
    decisions: services.decisions,
    baseUrl: config.baseUrl,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    clientCacheSeconds: config.api.clientCacheSeconds,
  });
  setUpStaticFiles(app);
  setUpSession(app, config, createSessionStore(deps.sessionPool), deps.now);
  // Large enough for the general terms in two languages (the largest form), small enough to refuse floods.
  app.use(express.urlencoded({ extended: false, limit: '512kb' }));
  setUpI18n(app, i18n, { production: config.isProduction });
  setUpLocals(app);
  setUpCsrf(app, deps.now);
  setUpCurrentPerson(app, services.persons);
  setUpEmployerContext(app, services.context);
  setUpAccess(app);
  setUpRateLimits(app, config.rateLimits);
  setUpMailWakeUp(app, deps.wakeMail);

  if (saml.devIdp) app.use(saml.devIdp.router);
  app.use(authRoutes({ saml, persons: services.persons, signing: services.signing, db: deps.db, now: deps.now }));
  // before the start page, the users overview and the back office: it marks the first two when a review is open
  app.use(reviewsRoutes(services));
  app.use(contextRoutes(services));
  app.use(administratorsRoutes(services));
  app.use(permissionsRoutes(services));
  app.use(requestsRoutes(services));
  app.use(staffRoutes(services));
  app.use(launchRoutes(services));
  app.use(onboardingRoutes(services));
  app.use(auditRoutes(services));
  app.use(mailStaffRoutes({ db: deps.db, now: deps.now }));
  if (!config.isProduction) app.use(devMailboxRoutes({ db: deps.db, config }));
  app.use(startRoutes());

  app.use(auditRefusals(deps.db, deps.now));
  setUpErrorHandling(app, i18n);
  return { app, services };
}
