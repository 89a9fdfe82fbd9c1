import pino, { type Logger } from 'pino';

/**
 * Personal identity numbers (12 or 10 digits, with or without a separator, also one percent-encoded in an address)
 * and organisation numbers look alike; anything of that shape in a log line is masked, whatever field it sits in.
 */
const IDENTITY_NUMBER = /(?<!\d)(?:(?:19|20)\d{6}|\d{6})(?:[-+\s]|%2[bBdD]|%20)?\d{4}(?!\d)/g;

export function maskIdentityNumbers(line: string): string {
  return line.replace(IDENTITY_NUMBER, '[redacted]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.personalIdentityNumber',
          '*.personal_identity_number',
          '*.password',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      hooks: { streamWrite: maskIdentityNumbers },
    },
    destination,
  );
}

export type { Logger };
