import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { startJobQueue, type JobQueue } from '../../src/jobs/queue';
import { createLogger } from '../../src/logger';
import { enqueueEmail } from '../../src/mail/outbox';
import { smtpTransport } from '../../src/mail/transport';
import { freshDatabase } from '../helpers/database';
import { startSmtpServer } from '../helpers/smtp';

const { db, url } = await freshDatabase();
const smtp = await startSmtpServer();
const config = loadConfig({ NODE_ENV: 'test', SMTP_URL: smtp.url });
const logger = createLogger('silent');
const queues: JobQueue[] = [];
afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.stop()));
});

/** One app instance's job queue (pg-boss in the test database), sending to the test SMTP server. */
async function instance(): Promise<JobQueue> {
  const queue = await startJobQueue({
    config,
    db,
    connectionString: url,
    logger,
    now: Date.now,
    transport: smtpTransport(smtp.url),
  });
  queues.push(queue);
  return queue;
}

async function enqueue(count: number): Promise<void> {
  await db.transaction(async (trx) => {
    for (let index = 0; index < count; index += 1) {
      await enqueueEmail(
        trx,
        {
          to: `person${index}@example.se`,
          template: 'orderer-activated',
          data: { name: `Person ${index}`, employerName: 'Arbetsgivaren', link: 'http://localhost:3000/' },
        },
        new Date(),
      );
    }
  });
}

describe('the job queue (pg-boss)', () => {
  it('runs in its own schema of the same database, with the outbox and inactivity schedules', async () => {
    await instance();
    const schedules = await db('pgboss.schedule').select<{ name: string; cron: string }[]>('name', 'cron');
    expect(schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'mail-outbox', cron: '* * * * *' }),
        expect.objectContaining({ name: 'inactivity-check' }),
      ]),
    );
  });

  it('delivers the outbox when woken, each email once, with two app instances sharing the queue', async () => {
    const [first, second] = [queues[0] ?? (await instance()), await instance()];
    await enqueue(12);
    await Promise.all([first.wakeMail(), second.wakeMail(), first.wakeMail()]);
    const arrived = await smtp.waitFor(12, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(arrived).toHaveLength(12);
    expect(new Set(arrived.map((message) => message.mail.headers.get('x-portal-outbox-id'))).size).toBe(12);
    const statuses = await db('outbox').select('status').groupBy('status').count({ n: '*' });
    expect(statuses).toEqual([{ status: 'sent', n: 12 }]);
  });
});
