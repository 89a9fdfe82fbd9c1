/**
 * PostgreSQL is down, restarting or unreachable (as opposed to a query that is wrong): the request can be tried
 * again in a moment, so it is answered 503 with Retry-After rather than 500.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'timeout exceeded when trying to connect',
  'Knex: Timeout acquiring a connection',
  'the database system is starting up',
  'the database system is shutting down',
  'terminating connection due to administrator command',
];

/** Seconds a client is asked to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, name, cause } = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    // SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, cannot connect now).
    if (code.startsWith('08') || code.startsWith('57P') || NETWORK_CODES.has(code)) return true;
  }
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && MESSAGES.some((text) => message.includes(text))) return true;
  if (error instanceof AggregateError) return error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
  return isDatabaseUnavailable(cause, depth + 1);
}
