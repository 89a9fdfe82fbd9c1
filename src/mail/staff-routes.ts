import { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import type { Actor } from '../audit/service';
import { requireStaff } from '../web/current-person';
import { notFound } from '../web/http-errors';
import { listUndeliveredEmail, retryEmail } from './outbox-admin';
import { mailPaths } from './paths';

export interface MailStaffDependencies {
  db: Knex;
  now: () => number;
}

function emailId(req: Request): string {
  const id = req.params.emailId;
  if (typeof id !== 'string' || !/^[1-9][0-9]{0,17}$/.test(id)) throw notFound('malformed email id');
  return id;
}

function staffActor(req: Request, res: Response): Actor {
  const person = res.locals.currentPerson;
  if (!person) throw notFound('no person');
  return {
    type: 'person',
    personId: person.id,
    role: 'staff',
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
}

/** Staff: the email that is waiting or has failed, and a retry for each (audited as `email.retried`). */
export function mailStaffRoutes(deps: MailStaffDependencies): Router {
  const router = Router();

  router.get(mailPaths.staffOutbox, requireStaff, async (req, res) => {
    const lang = res.locals.lang === 'en' ? 'en-GB' : 'sv-SE';
    const time = new Intl.DateTimeFormat(lang, {
      dateStyle: 'short',
      timeStyle: 'short',
      timeZone: 'Europe/Stockholm',
    });
    const emails = (await listUndeliveredEmail(deps.db)).map((email) => ({
      ...email,
      created: time.format(email.created_at),
      nextAttempt: email.status === 'failed' ? '' : time.format(email.next_attempt_at),
    }));
    const retried = typeof req.query.retried === 'string' ? req.query.retried : undefined;
    res.render('mail/outbox', { emails, retried, mailPaths });
  });

  router.post(mailPaths.staffRetry, requireStaff, async (req, res) => {
    const id = emailId(req);
    const retried = await retryEmail(deps.db, id, staffActor(req, res), new Date(deps.now()));
    if (!retried) throw notFound('no email to retry');
    res.redirect(303, `${mailPaths.staffOutbox}?retried=${encodeURIComponent(id)}`);
  });

  return router;
}
