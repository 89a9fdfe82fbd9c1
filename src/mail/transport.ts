import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { Config } from '../config';

export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same for every attempt at one outbox row, so a receiving system can tell a repeat. */
  messageId: string;
  outboxId: string;
}

/** Hands a rendered email on; throws when it was not accepted (the worker then retries). */
export interface MailTransport {
  readonly kind: 'smtp' | 'dev-mailbox';
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer, one connection per message. The timeouts bound one attempt well inside the worker's
 * lease (MAIL_LEASE_MINUTES), so a slow but living worker never has its rows taken over by another.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: { 'X-Portal-Outbox-Id': message.outboxId },
      });
    },
    close() {
      transporter.close();
    },
  };
}

/** Development without SMTP_URL: the message is kept in `dev_mailbox`, for the /dev-mail pages. */
export function devMailboxTransport(db: Knex, now: () => number): MailTransport {
  return {
    kind: 'dev-mailbox',
    async send(message) {
      await db('dev_mailbox').insert({
        outbox_id: message.outboxId,
        delivered_at: new Date(now()),
        sender: message.from,
        recipient: message.to,
        subject: message.subject,
        text_body: message.text,
        html_body: message.html,
      });
    },
    close() {
      // nothing held open: each message is one insert
    },
  };
}

/** SMTP when SMTP_URL is set; otherwise (never in production, where config requires it) the development mailbox. */
export function mailTransportFor(config: Config, db: Knex, now: () => number): MailTransport {
  if (config.mail.smtpUrl) return smtpTransport(config.mail.smtpUrl);
  if (config.isProduction) throw new Error('SMTP_URL is required in production');
  return devMailboxTransport(db, now);
}
