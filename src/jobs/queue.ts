import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createOutboxWorker } from '../mail/setup';
import type { MailTransport } from '../mail/transport';
import type { OutboxWorker } from '../mail/worker';
import { runExpiryCheck } from './expiry';
import { runInactivityCheck } from './inactivity';
import { runAccessReviews } from './reviews';
import { runAccessRequestExpiry } from '../requests/service';

/** pg-boss keeps its tables in a schema of its own in the portal's database. */
export const JOB_SCHEMA = 'pgboss';

export const QUEUES = {
  /** Delivers the outbox; every minute, and at once when woken. */
  mail: 'mail-outbox',
  /** The daily inactivity notices and reminders. */
  inactivity: 'inactivity-check',
  /** Reminders before, and ends at, the end dates of time-limited permissions and appointments. */
  expiry: 'expiry-check',
  /** Marks access requests not decided in ACCESS_REQUEST_DAYS expired (they cannot be approved from then anyway). */
  accessRequests: 'access-request-expiry',
  /** Opens the periodic access reviews, reminds before their deadlines, and ends what was not confirmed. */
  reviews: 'access-review-check',
} as const;

const SCHEDULES = {
  mail: '* * * * *',
  inactivity: '15 6 * * *',
  // a few minutes after midnight, when the day's end dates have passed (the API denies them from midnight anyway)
  expiry: '5 0 * * *',
  accessRequests: '20 * * * *',
  // after midnight, when a review's deadline (the end of its last day) has passed
  reviews: '10 0 * * *',
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
 * pg-boss's createQueue, tried again when it deadlocks: instances that start at the same moment on a database
 * without the queues yet (the first rollout) create them at once, and PostgreSQL picks one of them as the victim.
 */
async function createQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      const deadlock = (error as { code?: unknown }).code === '40P01';
      if (!deadlock || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
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
  await createQueue(boss, QUEUES.mail, { name: QUEUES.mail, policy: 'short', retryLimit: 0, expireInSeconds: 900 });
  await createQueue(boss, QUEUES.inactivity, {
    name: QUEUES.inactivity,
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 600,
    expireInSeconds: 3600,
  });

  await createQueue(boss, QUEUES.expiry, {
    name: QUEUES.expiry,
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 600,
    expireInSeconds: 3600,
  });

  await createQueue(boss, QUEUES.accessRequests, {
    name: QUEUES.accessRequests,
    policy: 'singleton',
    retryLimit: 3,
    retryDelay: 600,
    expireInSeconds: 3600,
  });

  await createQueue(boss, QUEUES.reviews, {
    name: QUEUES.reviews,
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

  await boss.work(QUEUES.expiry, { pollingIntervalSeconds: 30 }, async () => {
    const run = await runExpiryCheck(db, { ...config.expiry, baseUrl: config.baseUrl }, new Date(now()));
    logger.info(run, 'expiry check done');
    if (run.permissionsReminded + run.permissionsEnded + run.appointmentsReminded + run.appointmentsEnded > 0) {
      await boss.send(QUEUES.mail, {});
    }
  });

  await boss.work(QUEUES.accessRequests, { pollingIntervalSeconds: 30 }, async () => {
    const run = await runAccessRequestExpiry(db, { baseUrl: config.baseUrl }, new Date(now()));
    logger.info(run, 'access request expiry done');
    if (run.expired > 0) await boss.send(QUEUES.mail, {});
  });

  await boss.work(QUEUES.reviews, { pollingIntervalSeconds: 30 }, async () => {
    const run = await runAccessReviews(db, { ...config.reviews, baseUrl: config.baseUrl }, new Date(now()));
    logger.info(run, 'access review check done');
    if (run.opened + run.reminded + run.closed > 0) await boss.send(QUEUES.mail, {});
  });

  await boss.schedule(QUEUES.mail, SCHEDULES.mail, {}, { tz: TIME_ZONE });
  await boss.schedule(QUEUES.accessRequests, SCHEDULES.accessRequests, {}, { tz: TIME_ZONE });
  await boss.schedule(QUEUES.expiry, SCHEDULES.expiry, {}, { tz: TIME_ZONE });
  await boss.schedule(QUEUES.reviews, SCHEDULES.reviews, {}, { tz: TIME_ZONE });
  await boss.schedule(QUEUES.inactivity, SCHEDULES.inactivity, {}, { tz: TIME_ZONE });

  return {
    outbox,
    async wakeMail() {
      await boss.send(QUEUES.mail, {});
    },
    async stop() {
      // A delivery round in hand finishes or is given up within 6 s (its claimed rows are taken over after the
      // lease): a stopping instance is gone within 10 s.
      await boss.stop({ graceful: true, timeout: 6_000, wait: true });
      outbox.close();
    },
  };
}
