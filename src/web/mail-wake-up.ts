import type { Express } from 'express';
import { paths } from '../paths';

/** GETs that complete a change: the return from e-ID signing activates the orderer (and mails them and the delegate). */
const CHANGING_GETS: ReadonlySet<string> = new Set([paths.onboarding.signatureReturn]);

/**
 * Any change that succeeded may have put email in the outbox (in its own transaction): ask for a delivery round as
 * soon as the response is sent, so email leaves in seconds instead of at the next minute's round. Wake-ups collapse
 * into one queued round; a failure to wake only delays the email until then.
 */
export function setUpMailWakeUp(app: Express, wakeMail: () => Promise<void>): void {
  app.use((req, res, next) => {
    if (req.method === 'POST' || CHANGING_GETS.has(req.path)) {
      res.on('finish', () => {
        if (res.statusCode < 400) {
          wakeMail().catch((error: unknown) => {
            req.log.warn({ err: error }, 'could not ask for a mail delivery round');
          });
        }
      });
    }
    next();
  });
}
