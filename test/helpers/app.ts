import type { Express } from 'express';
import type { Knex } from 'knex';
import pg from 'pg';
import { afterAll } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { freshDatabase } from './database';

export interface TestApp {
  app: Express;
  db: Knex;
  config: Config;
  clock: { now: number; advance(ms: number): void };
}

/** The real app on a fresh migrated database, with a clock the test moves. */
export async function buildTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const { db, url } = await freshDatabase();
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const sessionPool = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(() => sessionPool.end());
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const app = await createApp({ config, db, sessionPool, logger: createLogger('silent'), now: () => clock.now });
  return { app, db, config, clock };
}
