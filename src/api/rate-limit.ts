import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sendProblem } from './problems';

/**
 * At most `perMinute` requests a minute per API client (after authentication, so keyed by client id, not address).
 * The counts live in this process's memory: with several instances each counts on its own.
 */
export function apiRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'api-client',
    keyGenerator: (_req, res) => res.locals.apiClient?.id ?? 'unauthenticated',
    handler: (_req, res) => {
      sendProblem(res, 429, `This API client has used its ${perMinute} requests for this minute; see Retry-After.`);
    },
  });
}
