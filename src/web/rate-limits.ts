import type { Express, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { paths } from '../paths';

/** The 429 page: what happened and when to try again (the Retry-After header says it too). */
const tooMany: RequestHandler = (_req, res) => {
  const retryAfter = Number(res.getHeader('Retry-After')) || 60;
  res.status(429).render('errors/too-many-requests', { retryAfter });
};

const common = { windowMs: 60_000, standardHeaders: 'draft-8', legacyHeaders: false, handler: tooMany } as const;

/**
 * Abuse limits on the pages, counted in this instance's memory (the decision API has its own, per client):
 * e-ID logins started or answered per client address — each start stores a SAML request — and form posts per
 * person (per address before login). A hit gets the 429 page with when to try again; nothing is stored.
 */
export function setUpRateLimits(app: Express, limits: { loginPerMinute: number; formPostsPerMinute: number }): void {
  const logins = rateLimit({
    ...common,
    limit: limits.loginPerMinute,
    identifier: 'login',
    // the client's address, IPv6 grouped by /56 (one household or host), as express-rate-limit advises
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
  });
  app.get(paths.login, logins);
  app.post(paths.saml.acs, logins);

  const posts = rateLimit({
    ...common,
    limit: limits.formPostsPerMinute,
    identifier: 'form-posts',
    skip: (req) => req.method !== 'POST' || req.path === paths.saml.acs,
    keyGenerator: (req, res) => {
      const person = res.locals.currentPerson;
      return person ? `person:${person.id}` : `address:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
  });
  app.use(posts);
}
