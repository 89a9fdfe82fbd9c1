import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Knex } from 'knex';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { Services } from '../../src/services';
import { freshDatabase } from './database';

export interface TestApp {
  app: Express;
  services: Services;
  db: Knex;
  config: Config;
  clock: { now: number; advance(ms: number): void };
  /** Every log line the app wrote (JSON), to assert what was logged and what never was. */
  logs: string[];
  /** How often the app asked for a mail delivery round. */
  mail: { wakeUps: number };
}

/** The real app on a fresh migrated database, with a clock the test moves. */
export async function buildTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const { db, url } = await freshDatabase();
  // the abuse limits are tested on their own (test/web/rate-limits.test.ts); elsewhere tests log in and post a lot
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: inject('dataDir'),
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    FORM_RATE_LIMIT_PER_MINUTE: '10000',
    ...env,
  });
  const sessionPool = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(() => sessionPool.end());
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const mail = { wakeUps: 0 };
  const wakeMail = () => {
    mail.wakeUps += 1;
    return Promise.resolve();
  };
  const { app, services } = await createApp({ config, db, sessionPool, logger, now: () => clock.now, wakeMail });
  return { app, services, db, config, clock, logs, mail };
}
