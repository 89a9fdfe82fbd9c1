import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createI18n } from '../web/i18n';
import { createMailRenderer } from './render';
import { mailTransportFor, type MailTransport } from './transport';
import { outboxWorker, type OutboxWorker } from './worker';

export interface OutboxWorkerDependencies {
  config: Config;
  db: Knex;
  now: () => number;
  logger: Logger;
  /** Defaults to SMTP_URL's server, or the development mailbox without one. */
  transport?: MailTransport;
}

/** The outbox worker as the app runs it, wired from the configuration. */
export async function createOutboxWorker(deps: OutboxWorkerDependencies): Promise<OutboxWorker> {
  const { config, db, now, logger } = deps;
  return outboxWorker({
    db,
    now,
    logger,
    renderer: createMailRenderer(await createI18n()),
    transport: deps.transport ?? mailTransportFor(config, db, now),
    from: config.mail.from,
    messageIdDomain: new URL(config.baseUrl).hostname,
    maxAttempts: config.mail.maxAttempts,
    leaseMinutes: config.mail.leaseMinutes,
  });
}
