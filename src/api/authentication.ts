import type { RequestHandler } from 'express';
import type { ClientAuthenticator } from './clients';
import { sendUnauthorized } from './problems';

const BEARER = /^Bearer +(\S+)$/i;

/** The caller must be a registered API client: `Authorization: Bearer <secret>`, else 401 before the body is read. */
export function requireApiClient(authenticate: ClientAuthenticator): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const token = header ? BEARER.exec(header)?.[1] : undefined;
    const client = token ? await authenticate(token) : undefined;
    if (!client) {
      sendUnauthorized(res, header !== undefined);
      return;
    }
    res.locals.apiClient = client;
    next();
  };
}
