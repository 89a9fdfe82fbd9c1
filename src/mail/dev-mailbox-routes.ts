import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { notFound } from '../web/http-errors';
import { mailPaths } from './paths';

export interface DevMailboxDependencies {
  db: Knex;
  config: Config;
}

interface StoredMessage {
  id: string;
  delivered_at: Date;
  sender: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
}

const LIST_LIMIT = 200;

/**
 * The email's own HTML, shown in a sandboxed frame: no scripts, no forms, no same-origin access, nothing loaded
 * from elsewhere; only this portal's own page may frame it.
 */
const MESSAGE_HTML_POLICY = [
  'sandbox',
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "frame-ancestors 'self'",
].join('; ');

function messageId(req: Request): string {
  const id = req.params.messageId;
  if (typeof id !== 'string' || !/^[1-9][0-9]{0,17}$/.test(id)) throw notFound('malformed message id');
  return id;
}

function linksIn(text: string): string[] {
  return [...new Set(text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];
}

/**
 * The development mailbox at /dev-mail: the messages the portal "sent" without an SMTP server, newest first, each
 * as it would be read. In production this router is empty, whoever mounts it.
 */
export function devMailboxRoutes(deps: DevMailboxDependencies): Router {
  const router = Router();
  if (deps.config.isProduction) return router;
  const { db } = deps;

  async function find(req: Request): Promise<StoredMessage> {
    const message = await db('dev_mailbox')
      .where({ id: messageId(req) })
      .first<StoredMessage | undefined>(
        db.raw('id::text as id'),
        'delivered_at',
        'sender',
        'recipient',
        'subject',
        'text_body',
        'html_body',
      );
    if (!message) throw notFound('no such message');
    return message;
  }

  router.get(mailPaths.devMailbox, async (_req, res) => {
    const messages = await db('dev_mailbox')
      .orderBy([
        { column: 'delivered_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(LIST_LIMIT)
      .select<Pick<StoredMessage, 'id' | 'delivered_at' | 'recipient' | 'subject'>[]>(
        db.raw('id::text as id'),
        'delivered_at',
        'recipient',
        'subject',
      );
    res.render('mail/dev-mailbox', { messages, mailPaths });
  });

  router.get(mailPaths.devMailboxMessage, async (req, res) => {
    const message = await find(req);
    res.render('mail/dev-mailbox-message', { message, links: linksIn(message.text_body), mailPaths });
  });

  router.get(mailPaths.devMailboxHtml, async (req, res) => {
    const message = await find(req);
    res.setHeader('Content-Security-Policy', MESSAGE_HTML_POLICY);
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    res.type('html').send(message.html_body);
  });

  return router;
}
