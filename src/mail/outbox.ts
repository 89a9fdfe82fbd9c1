import type { Knex } from 'knex';

export interface OutgoingEmail {
  to: string;
  recipientPersonId?: string | null;
  language?: 'sv' | 'en';
  /** The template's name (e.g. `orderer-invitation`); the mail worker renders it from files. */
  template: string;
  /** What the template shows: names, links. Never a personal identity number. */
  data: Record<string, unknown>;
}

/**
 * Puts an email in the outbox, in the transaction of the change that causes it: a rolled-back change sends nothing,
 * and a committed change is never without its email. The mail worker delivers outbox rows.
 */
export async function enqueueEmail(trx: Knex.Transaction, email: OutgoingEmail, at: Date): Promise<void> {
  await trx('outbox').insert(outboxRow(email, at));
}

/** Many emails in a few statements (a job that writes thousands would otherwise pay a round trip for each). */
export async function enqueueEmails(trx: Knex.Transaction, emails: readonly OutgoingEmail[], at: Date): Promise<void> {
  for (let start = 0; start < emails.length; start += 1000) {
    await trx('outbox').insert(emails.slice(start, start + 1000).map((email) => outboxRow(email, at)));
  }
}

function outboxRow(email: OutgoingEmail, at: Date) {
  return {
    created_at: at,
    next_attempt_at: at,
    recipient_email: email.to,
    recipient_person_id: email.recipientPersonId ?? null,
    language: email.language ?? 'sv',
    template: email.template,
    data: JSON.stringify(email.data),
  };
}
