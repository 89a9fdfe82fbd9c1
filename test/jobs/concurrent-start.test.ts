import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { startJobQueue, type JobQueue } from '../../src/jobs/queue';
import { createLogger } from '../../src/logger';
import { smtpTransport } from '../../src/mail/transport';
import { freshDatabase } from '../helpers/database';
import { startSmtpServer } from '../helpers/smtp';

const smtp = await startSmtpServer();
const config = loadConfig({ NODE_ENV: 'test', SMTP_URL: smtp.url });
const logger = createLogger('silent');
const databases = [await freshDatabase(), await freshDatabase(), await freshDatabase()];
const queues: JobQueue[] = [];
afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.stop()));
});

describe('instances starting at the same moment on a new database', () => {
  it('all start their job queue (creating its queues at once does not stop any of them)', async () => {
    for (const { db, url } of databases) {
      const started = await Promise.allSettled(
        [1, 2, 3].map(() =>
          startJobQueue({
            config,
            db,
            connectionString: url,
            logger,
            now: Date.now,
            transport: smtpTransport(smtp.url),
          }),
        ),
      );
      for (const outcome of started) if (outcome.status === 'fulfilled') queues.push(outcome.value);
      expect(started.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'started'))).toEqual([
        'started',
        'started',
        'started',
      ]);
      const { rows } = await db.raw<{ rows: { name: string }[] }>('select name from pgboss.queue order by name');
      expect(rows.map((row) => row.name)).toEqual(expect.arrayContaining(['inactivity-check', 'mail-outbox']));
    }
  }, 90_000);
});
