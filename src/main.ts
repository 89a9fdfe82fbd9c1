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
// The job queue starts after the app; until then (and with JOBS=false) the every-minute round delivers mail.
let jobs: Promise<JobQueue | undefined> = Promise.resolve(undefined);
const wakeMail = async (): Promise<void> => {
  await (await jobs)?.wakeMail();
};
const { app } = await createApp({ config, db, sessionPool, logger, now: Date.now, wakeMail });
const server: Server = app.listen(config.port, () => {
  logger.info(`portal listening at ${config.baseUrl}`);
});

// The outbox worker and the scheduled jobs (pg-boss, in the same database); JOBS=false leaves them to other instances.
// Started after the signal handlers, so a stop during their start-up still shuts down cleanly.

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  server.closeIdleConnections();
  // Workers finish the job in hand (or give up after a timeout) while the database is still there.
  await jobs
    .then((queue) => queue?.stop())
    .catch((error: unknown) => {
      logger.error({ err: error }, 'job queue did not stop cleanly');
    });
  await Promise.allSettled([db.destroy(), sessionPool.end()]);
  await connection.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

if (config.jobs) {
  jobs = startJobQueue({ config, db, connectionString: connection.url, logger, now: Date.now });
  await jobs;
  logger.info(config.mail.smtpUrl ? 'mail goes out over SMTP' : 'mail goes to the development mailbox (/dev-mail)');
}
