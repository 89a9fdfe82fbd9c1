import path from 'node:path';
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Config } from './config';
import type { Logger } from './logger';
import { startRoutes } from './start/routes';
import { setUpCsrf } from './web/csrf';
import { setUpErrorHandling } from './web/error-handling';
import { setUpHealthChecks } from './web/health';
import { createI18n, setUpI18n } from './web/i18n';
import { setUpLocals } from './web/locals';
import { setUpRequestLogging } from './web/request-logging';
import { setUpSecurityHeaders } from './web/security-headers';
import { setUpSession } from './web/session';
import { setUpStaticFiles } from './web/static-files';

export interface AppDependencies {
  config: Config;
  db: Knex;
  /** A pg pool for the session store (connect-pg-simple speaks pg, not knex). */
  sessionPool: pg.Pool;
  logger: Logger;
  /** Milliseconds since epoch; tests move it. */
  now: () => number;
}

const VIEWS_DIR = path.resolve(import.meta.dirname, '../views');

/** The ordered recipe of the web app: each step is one small function under src/web/. */
export async function createApp(deps: AppDependencies): Promise<Express> {
  const { config } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.disable('x-powered-by');

  setUpRequestLogging(app, deps.logger);
  setUpHealthChecks(app, deps.db);
  setUpSecurityHeaders(app, { production: config.isProduction });
  setUpStaticFiles(app);
  setUpSession(app, config, deps.sessionPool, deps.now);
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  setUpI18n(app, await createI18n(config.isProduction));
  setUpLocals(app);
  setUpCsrf(app, deps.now);

  app.use(startRoutes());

  setUpErrorHandling(app);
  return app;
}
