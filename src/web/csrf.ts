import type { Express } from 'express';
import { csrfSync } from 'csrf-sync';
import { markSessionStart } from './session';

export const CSRF_FIELD = '_csrf';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body?.[CSRF_FIELD];
    if (typeof fromBody === 'string') return fromBody;
    const fromHeader = req.headers['x-csrf-token'];
    return typeof fromHeader === 'string' ? fromHeader : undefined;
  },
});

/**
 * Synchronizer-token CSRF protection on every state-changing request (everything but GET, HEAD and OPTIONS).
 * Views get the token through `csrfToken()`, which creates it (and so the session) only on pages with a form.
 */
export function setUpCsrf(app: Express, now: () => number): void {
  app.use((req, res, next) => {
    res.locals.csrfToken = () => {
      markSessionStart(req, now());
      return generateToken(req);
    };
    next();
  });
  app.use(csrfSynchronisedProtection);
}
