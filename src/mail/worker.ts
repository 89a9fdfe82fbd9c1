import type { Knex } from 'knex';
import { maskIdentityNumbers, type Logger } from '../logger';
import { isDatabaseUnavailable } from '../web/database-unavailable';
import { PermanentMailError, type MailRenderer } from './render';
import type { MailTransport } from './transport';

export interface OutboxWorkerOptions {
  db: Knex;
  renderer: MailRenderer;
  transport: MailTransport;
  /** Milliseconds since epoch: what "due" and the back-off are measured against. */
  now: () => number;
  logger: Logger;
  from: string;
  /** The host part of each message's Message-ID (the portal's host name). */
  messageIdDomain: string;
  /** Attempts before a row is marked failed (MAIL_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** How long a claimed row stays 'sending' before another worker may take it over (MAIL_LEASE_MINUTES). */
  leaseMinutes: number;
  /** Rows claimed at once; their sends, one after the other, must fit well inside the lease. */
  batchSize?: number;
  /** Batches in one delivery round, so a long queue does not hold a job forever. */
  maxBatches?: number;
}

export interface DeliveryRound {
  sent: number;
  retrying: number;
  failed: number;
}

interface ClaimedRow {
  id: string;
  recipient_email: string;
  language: string;
  template: string;
  data: unknown;
  attempts: number;
}

const MINUTE = 60_000;
const MAX_BACKOFF_MINUTES = 60;

/** 1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt, at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MINUTES, 2 ** Math.max(0, attempts - 1)) * MINUTE;
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskIdentityNumbers(message).slice(0, 500);
}

/**
 * Delivers the outbox. A row is claimed (status 'sending', attempts + 1, next_attempt_at = the lease's end) by one
 * UPDATE whose subquery locks due rows FOR UPDATE SKIP LOCKED, and that claim commits before anything is sent: two
 * workers never claim the same row, and a row being sent is not due again until its lease has passed.
 *
 * The trade-off: a worker that dies after the SMTP server accepted a message but before the row is marked sent
 * leaves it 'sending'; once the lease has passed another worker sends it again (same Message-ID). We prefer that
 * rare duplicate to losing the email; a worker that is merely slow never loses its row, because one attempt's SMTP
 * timeouts are far shorter than the lease.
 */
export function outboxWorker(options: OutboxWorkerOptions) {
  const { db, renderer, transport, now, logger } = options;
  const batchSize = options.batchSize ?? 5;
  const maxBatches = options.maxBatches ?? 20;

  async function claim(): Promise<ClaimedRow[]> {
    const at = new Date(now());
    const leaseEnd = new Date(now() + options.leaseMinutes * MINUTE);
    const result = await db.raw<{ rows: ClaimedRow[] }>(
      `update outbox set status = 'sending', attempts = attempts + 1, next_attempt_at = :leaseEnd
        where id in (
          select id from outbox
           where status in ('pending', 'sending') and next_attempt_at <= :at
           order by next_attempt_at, id
           limit :batchSize
           for update skip locked)
        returning id::text, recipient_email, language, template, data, attempts`,
      { at, leaseEnd, batchSize },
    );
    // UPDATE … RETURNING has no order: send the oldest first
    return result.rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Finishes a claimed row, unless its lease was lost to another worker meanwhile. */
  async function finish(row: ClaimedRow, change: Record<string, unknown>): Promise<void> {
    const updated = await db('outbox').where({ id: row.id, status: 'sending', attempts: row.attempts }).update(change);
    if (updated === 0) logger.warn({ outboxId: row.id }, 'email row was taken over by another worker');
  }

  /**
   * The message is out: record that even if PostgreSQL is briefly unreachable (a restart, a failover), retrying for
   * up to half the lease, so the row is not sent again when its lease runs out.
   */
  async function markSent(row: ClaimedRow, at: Date): Promise<void> {
    const giveUpAt = Date.now() + (options.leaseMinutes * MINUTE) / 2;
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        await finish(row, { status: 'sent', sent_at: at, last_error: null });
        return;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() + wait > giveUpAt) throw error;
        logger.warn({ outboxId: row.id }, 'email sent; waiting for the database to record it');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async function deliver(row: ClaimedRow): Promise<keyof DeliveryRound> {
    const at = new Date(now());
    try {
      if (row.attempts > options.maxAttempts) throw new PermanentMailError('delivery interrupted on the last attempt');
      const email = await renderer.render(row.template, row.language, row.data);
      await transport.send({
        from: options.from,
        to: row.recipient_email,
        ...email,
        messageId: `<outbox-${row.id}@${options.messageIdDomain}>`,
        outboxId: row.id,
      });
    } catch (error) {
      const lastError = errorText(error);
      const final = error instanceof PermanentMailError || row.attempts >= options.maxAttempts;
      if (final) {
        await finish(row, { status: 'failed', last_error: lastError, next_attempt_at: at });
        logger.error({ outboxId: row.id, template: row.template, attempts: row.attempts, lastError }, 'email failed');
        return 'failed';
      }
      const next = new Date(now() + backoffMs(row.attempts));
      await finish(row, { status: 'pending', last_error: lastError, next_attempt_at: next });
      logger.warn({ outboxId: row.id, attempts: row.attempts, next, lastError }, 'email not sent, will retry');
      return 'retrying';
    }
    // outside the try: a message the SMTP server accepted is never put back as pending (it would go out twice)
    await markSent(row, at);
    logger.info({ outboxId: row.id, template: row.template, attempts: row.attempts }, 'email sent');
    return 'sent';
  }

  return {
    /** One delivery round: claims and sends due rows, batch after batch, until none are due (or maxBatches). */
    async deliverDue(): Promise<DeliveryRound> {
      const round: DeliveryRound = { sent: 0, retrying: 0, failed: 0 };
      for (let batch = 0; batch < maxBatches; batch += 1) {
        const rows = await claim();
        for (const row of rows) round[await deliver(row)] += 1;
        if (rows.length < batchSize) break;
      }
      return round;
    },
    /** Closes the transport's connections (at shutdown). */
    close(): void {
      transport.close();
    },
  };
}

export type OutboxWorker = ReturnType<typeof outboxWorker>;
