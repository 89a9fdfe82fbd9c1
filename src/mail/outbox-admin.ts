import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface UndeliveredEmail {
  id: string;
  created_at: Date;
  recipient_email: string;
  template: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
}

const LIST_LIMIT = 200;

/** Email not sent yet: failed first (they need someone), then by age. */
export async function listUndeliveredEmail(db: Knex): Promise<UndeliveredEmail[]> {
  return db('outbox')
    .whereIn('status', ['failed', 'pending', 'sending'])
    .orderByRaw(`status = 'failed' desc, created_at desc, id desc`)
    .limit(LIST_LIMIT)
    .select<UndeliveredEmail[]>(
      db.raw('id::text as id'),
      'created_at',
      'recipient_email',
      'template',
      'status',
      'attempts',
      'next_attempt_at',
      'last_error',
    );
}

/**
 * Puts a failed (or waiting) email back in line to be sent now, with a fresh set of attempts; audited. False when
 * there is no such email or it is being sent or already sent.
 */
export async function retryEmail(db: Knex, id: string, actor: Actor, at: Date): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await trx('outbox')
      .where({ id })
      .whereIn('status', ['failed', 'pending'])
      .forUpdate()
      .first<{ status: OutboxStatus; attempts: number; template: string } | undefined>(
        'status',
        'attempts',
        'template',
      );
    if (!row) return false;
    await trx('outbox').where({ id }).update({ status: 'pending', attempts: 0, next_attempt_at: at });
    await recordAudit(
      trx,
      {
        actor,
        action: 'email.retried',
        subjectType: 'email',
        subjectId: id,
        before: { status: row.status, attempts: row.attempts, template: row.template },
        after: { status: 'pending', attempts: 0 },
      },
      at,
    );
    return true;
  });
}
