import type { Express } from 'express';
import { csrfSync } from 'csrf-sync';
import { paths } from '../paths';
import { markSessionStart } from './session';

export const CSRF_FIELD = '_csrf';
/** POST paths whose messages carry their own protection (a signed SAML message). */
export const CSRF_EXEMPT: readonly string[] = [paths.saml.acs, paths.devEid.sso];

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // The identity provider posts the SAML response from its own page: the response is protected by its signature,
  // its InResponseTo (a request this portal sent) and the one-time assertion id instead.
  // Likewise the development e-ID's SSO endpoint, which receives the portal's signed sign requests.
  skipCsrfProtection: (req) => req.method === 'POST' && CSRF_EXEMPT.includes(req.path),
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
