import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new invitation token: 32 random bytes, base64url. Only its hash is stored. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashInvitationToken(token) };
}

/** SHA-256 (hex) of the token, as stored in orderer_applications.invitation_token_hash. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a string can be a token at all (anything else is unknown without asking the database). */
export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** The reference staff and the paper form use: short, readable, from the application's id. */
export function applicationReference(applicationId: string): string {
  return `BB-${applicationId.replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
