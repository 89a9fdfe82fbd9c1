import type { Server } from 'node:http';
import { createApp } from './app';
import { loadConfigOrExit } from './config';
import { createKnex } from './db/knex';
import { openDatabase } from './db/open';
import { PendingMigrationsError, prepareDatabase } from './db/prepare';
import { createSessionPool } from './db/sessions-pool';
import { loadDemoData } from './demo/seed';
import { startJobQueue, type JobQueue } from './jobs/queue';
import { createLogger } from './logger';
import { isDatabaseUnavailable } from './web/database-unavailable';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const connection = await openDatabase(config, logger);
const db = createKnex(connection.url);

try {
  await prepareDatabase(db, { production: config.isProduction, logger });
} catch (error) {
  if (!(error instanceof PendingMigrationsError)) throw error;
  logger.fatal({ pending: error.pending }, error.message);
  await db.destroy();
  await connection.close();
  process.exit(1);
}
if (config.loadDemoData) {
  await loadDemoData(db);
  logger.info('demo data loaded (see README for the demo persons)');
}

const sessionPool = createSessionPool(connection.url);
// An idle connection that breaks (PostgreSQL restarted) is dropped from the pool; without a listener it would end
// the process. Requests meanwhile answer 503 and the pool reconnects on its own.
sessionPool.on('error', (error) => {
  logger.warn({ err: error }, 'session pool lost a connection');
});
// The job queue starts after the app; until then (and with JOBS=false) the every-minute round delivers mail.
let jobs: Promise<JobQueue | undefined> = Promise.resolve(undefined);
const wakeMail = async (): Promise<void> => {
  await (await jobs)?.wakeMail();
};
const { app } = await createApp({ config, db, sessionPool, logger, now: Date.now, wakeMail });
const server: Server = app.listen(config.port, () => {
  logger.info(`portal listening at ${config.baseUrl}`);
});
// Longer than a load balancer's idle timeout (nginx upstream keepalive_timeout, 60 s on most cloud balancers), so
// the balancer never sends a request on a connection the portal is just closing.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

// The outbox worker and the scheduled jobs (pg-boss, in the same database); JOBS=false leaves them to other instances.
// Started after the signal handlers, so a stop during their start-up still shuts down cleanly.

/** Requests still running this long after the signal are cut off, so the process is gone within 10 s. */
const REQUEST_GRACE_MS = 7_000;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // No new connections; requests in flight finish (their keep-alive connections close after the answer) while the
  // workers finish the job in hand; only then does the database go.
  const served = new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  // A keep-alive connection whose request finishes becomes idle: close those as they come.
  const idleSweep = setInterval(() => {
    server.closeIdleConnections();
  }, 100);
  server.closeIdleConnections();
  const cutOff = setTimeout(() => {
    logger.warn('requests still running after the grace period: closing their connections');
    server.closeAllConnections();
  }, REQUEST_GRACE_MS);
  await Promise.all([
    served,
    jobs
      .then((queue) => queue?.stop())
      .catch((error: unknown) => {
        logger.error({ err: error }, 'job queue did not stop cleanly');
      }),
  ]);
  clearTimeout(cutOff);
  clearInterval(idleSweep);
  await Promise.allSettled([db.destroy(), sessionPool.end()]);
  await connection.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
// A promise nobody awaited that failed because PostgreSQL was briefly unreachable must not take the instance down
// (it recovers by itself); any other is a bug, and the process stops for its supervisor to restart it.
process.on('unhandledRejection', (reason) => {
  if (isDatabaseUnavailable(reason)) {
    logger.error({ err: reason }, 'unhandled rejection while the database was unreachable');
    return;
  }
  logger.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));

if (config.jobs) {
  jobs = startJobQueue({ config, db, connectionString: connection.url, logger, now: Date.now });
  await jobs;
  logger.info(config.mail.smtpUrl ? 'mail goes out over SMTP' : 'mail goes to the development mailbox (/dev-mail)');
}
