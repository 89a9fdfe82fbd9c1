import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { inject } from 'vitest';
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createSessionPool } from '../../../src/db/sessions-pool';
import { loadDemoData } from '../../../src/demo/seed';
import { createKnex, withDatabase } from '../../../src/db/knex';
import { createLogger } from '../../../src/logger';
import { createOutboxWorker } from '../../../src/mail/setup';
import { staffService } from '../../../src/staff/service';
import { createDatabase, dropDatabase } from '../../helpers/database-admin';
import { startSmtpServer, type SmtpCatcher } from '../../helpers/smtp';

export interface RunningPortal {
  /** `http://127.0.0.1:<port>`: the app's BASE_URL, so SAML and email links point at it. */
  baseUrl: string;
  db: Knex;
  smtp: SmtpCatcher;
  /** Stops the app, its pools and the SMTP server, and drops the database (return it from beforeAll). */
  close(): Promise<void>;
}

/** Karin Lindqvist, the demo data's agency staff member. */
export const STAFF = { personalIdentityNumber: '191212112427', name: 'Karin Lindqvist' } as const;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The real app on a fresh migrated database, listening on a free port, with the development e-ID and its email
 * delivered over SMTP to a server in the test process (right after each change, as the job queue does). `demo`
 * loads the demo employer and persons; without it the database holds only one staff member.
 */
export async function startPortal(options: { demo: boolean }): Promise<RunningPortal> {
  // A copy of the run's migrated template, dropped by this file's own clean-up after the app's pools are closed.
  const serverUrl = inject('serverUrl');
  const name = `portal_test_${inject('runId')}_e2e_${randomBytes(4).toString('hex')}`;
  await createDatabase(serverUrl, name, inject('templateDatabase'));
  const url = withDatabase(serverUrl, name);
  const db = createKnex(url, { min: 0, max: 5 });
  if (options.demo) await loadDemoData(db);
  else
    await staffService(db, Date.now).add(
      { personalIdentityNumber: STAFF.personalIdentityNumber, name: STAFF.name, email: 'karin.lindqvist@spv.example' },
      { type: 'system', requestId: undefined },
    );
  const smtp = await startSmtpServer();
  const server = createServer();
  const port = await listen(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    BASE_URL: baseUrl,
    DATA_DIR: inject('dataDir'),
    SMTP_URL: smtp.url,
  });
  const logger = createLogger(process.env.E2E_LOG_LEVEL ?? 'silent');
  const outbox = await createOutboxWorker({ config, db, now: Date.now, logger });
  // One delivery round at a time, as the job queue's 'short' policy gives.
  let round = Promise.resolve();
  const wakeMail = (): Promise<void> => {
    // A failed round is logged by the worker and retried by the next one, as in the job queue.
    round = round
      .then(() => outbox.deliverDue())
      .then(
        () => undefined,
        () => undefined,
      );
    return round;
  };
  // The job queue's every-minute round, sped up: email from a change made on a GET (a SAML return) goes out too.
  const everySecond = setInterval(() => void wakeMail(), 1_000);
  const sessionPool = createSessionPool(url);
  const { app } = await createApp({ config, db, sessionPool, logger, now: Date.now, wakeMail });
  server.on('request', app);
  const close = async (): Promise<void> => {
    clearInterval(everySecond);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await round;
    outbox.close();
    await sessionPool.end();
    await db.destroy();
    await dropDatabase(serverUrl, name);
    await smtp.stop();
  };
  return { baseUrl, db, smtp, close };
}
