import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createOutboxWorker } from '../mail/setup';
import type { MailTransport } from '../mail/transport';
import type { OutboxWorker } from '../mail/worker';
import { runInactivityCheck } from './inactivity';

/** pg-boss keeps its tables in a schema of its own in the portal's database. */
export const JOB_SCHEMA = 'pgboss';

export const QUEUES = {
  /** Delivers the outbox; every minute, and at once when woken. */
  mail: 'mail-outbox',
  /** The daily inactivity notices and reminders. */
  inactivity: 'inactivity-check',
} as const;

const SCHEDULES = {
  mail: '* * * * *',
  inactivity: '15 6 * * *',
} as const;
const TIME_ZONE = 'Europe/Stockholm';

export interface JobQueueDependencies {
  config: Config;
  db: Knex;
  /** The same database as `db`, for pg-boss's own pool. */
  connectionString: string;
  logger: Logger;
  now: () => number;
  /** Defaults to the configured SMTP server, or the development mailbox. */
  transport?: MailTransport;
}

export interface JobQueue {
  outbox: OutboxWorker;
  /** Asks for a delivery round now (after enqueueing email, or a staff retry); queued wake-ups collapse into one. */
  wakeMail(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss with the portal's workers and schedules. Every app instance may run it: pg-boss hands each job to
 * one worker, the schedules fire once across instances, and the outbox and inactivity jobs are safe to run
 * concurrently anyway (row claims with SKIP LOCKED; an advisory lock).
 */
export async function startJobQueue(deps: JobQueueDependencies): Promise<JobQueue> {
  const { config, db, logger, now } = deps;
  const outbox = await createOutboxWorker({ config, db, now, logger, transport: deps.transport });
  const boss = new PgBoss({
    connectionString: deps.connectionString,
    schema: JOB_SCHEMA,
    application_name: 'portal-jobs',
    max: 4,
  });
  boss.on('error', (error: unknown) => {
    logger.error({ err: error }, 'job queue error');
  });
  await boss.start();

  // 'short': at most one waiting job, so a burst of wake-ups makes one delivery round, not one per email.
  await boss.createQueue(QUEUES.mail, { name: QUEUES.mail, policy: 'short', retryLimit: 0, expireInSeconds: 900 });
  await boss.createQueue(QUEUES.inactivity, {
    name: QUEUES.inactivity,
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 600,
    expireInSeconds: 3600,
  });

  await boss.work(QUEUES.mail, { pollingIntervalSeconds: 2 }, async () => {
    const round = await outbox.deliverDue();
    if (round.sent + round.retrying + round.failed > 0) logger.info(round, 'mail delivery round');
  });
  await boss.work(QUEUES.inactivity, { pollingIntervalSeconds: 30 }, async () => {
    const run = await runInactivityCheck(db, { ...config.inactivity, baseUrl: config.baseUrl }, new Date(now()));
    logger.info({ notices: run.notices, reminders: run.reminders }, 'inactivity check done');
    if (run.notices + run.reminders > 0) await boss.send(QUEUES.mail, {});
  });

  await boss.schedule(QUEUES.mail, SCHEDULES.mail, {}, { tz: TIME_ZONE });
  await boss.schedule(QUEUES.inactivity, SCHEDULES.inactivity, {}, { tz: TIME_ZONE });

  return {
    outbox,
    async wakeMail() {
      await boss.send(QUEUES.mail, {});
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 20_000, wait: true });
      outbox.close();
    },
  };
}
