import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../web/database-unavailable';
import { apiPaths } from './paths';
import type { FieldError } from './validation';

/** RFC 9457 problem details. `about:blank` types: the title is the status's own phrase, the detail says more. */
export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export function sendProblem(res: Response, status: number, detail: string, errors?: FieldError[]): void {
  const body: Problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (errors) body.errors = errors;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** 401 with the challenge RFC 6750 asks for; `error="invalid_token"` only when a token was sent. */
export function sendUnauthorized(res: Response, tokenSent: boolean): void {
  res.setHeader(
    'WWW-Authenticate',
    tokenSent ? 'Bearer realm="access", error="invalid_token"' : 'Bearer realm="access"',
  );
  sendProblem(
    res,
    401,
    tokenSent
      ? 'The bearer token is unknown or revoked.'
      : 'Send the API client secret as a bearer token: Authorization: Bearer <secret>.',
  );
}

export function methodNotAllowed(allowed: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allowed);
    sendProblem(res, 405, `This endpoint answers ${allowed} only.`);
  };
}

export const unknownPath: RequestHandler = (_req, res) => {
  sendProblem(res, 404, `There is no such endpoint; see ${apiPaths.metadata}.`);
};

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** body-parser's errors by their `type`: the status and a detail that never repeats the body. */
const BODY_ERRORS: Record<string, { status: number; detail: string }> = {
  'entity.parse.failed': { status: 400, detail: 'The body is not valid JSON (or not a JSON object).' },
  'entity.too.large': { status: 413, detail: 'The body is larger than 64 kB.' },
  'entity.verify.failed': { status: 400, detail: 'The body could not be read.' },
  'request.aborted': { status: 400, detail: 'The request was aborted while its body was read.' },
  'request.size.invalid': { status: 400, detail: 'The body is not as long as Content-Length says.' },
  'encoding.unsupported': { status: 415, detail: 'The body has a Content-Encoding the API does not read.' },
  'charset.unsupported': { status: 415, detail: 'The body must be UTF-8.' },
};

/**
 * Every failure under /access becomes problem JSON. What went wrong goes to the log with the request id, but never
 * the body (it holds personal identity numbers) and never a stack trace in the answer.
 */
export const problemErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  // An error from a step before the API (the router sees those too) is the web app's to answer.
  const isApi =
    req.path === apiPaths.metadata || req.path.startsWith(`${apiPaths.root}/`) || req.path === apiPaths.root;
  if (res.headersSent || !isApi) {
    next(error);
    return;
  }
  const bodyError = error as BodyParserError;
  const known = typeof bodyError.type === 'string' ? BODY_ERRORS[bodyError.type] : undefined;
  if (known) {
    req.log.warn({ status: known.status, reason: bodyError.type }, 'API request refused');
    sendProblem(res, known.status, known.detail);
    return;
  }
  if (isDatabaseUnavailable(error)) {
    req.log.error({ err: error }, 'API request failed: database unavailable');
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendProblem(res, 503, 'The portal cannot reach its database just now; try again shortly.');
    return;
  }
  req.log.error({ err: error }, 'API request failed');
  sendProblem(res, 500, 'The request failed in the portal; quote its X-Request-Id when reporting it.');
};
