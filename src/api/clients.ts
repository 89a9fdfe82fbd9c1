import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import * as repository from './clients-repository';

/** Who called the decision API, once its bearer token checked out. */
export interface AuthenticatedClient {
  /** api_clients.id */
  id: string;
  clientId: string;
  name: string;
}

export interface ApiClientSummary {
  clientId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export type CreateClientResult =
  | { outcome: 'created'; id: string; clientId: string; name: string; secret: string }
  | { outcome: 'name-taken'; clientId: string };

export type RevokeClientResult =
  | { outcome: 'revoked'; name: string; revokedAt: Date }
  | { outcome: 'already-revoked'; name: string; revokedAt: Date }
  | { outcome: 'not-found' };

/**
 * The token is 32 random bytes, so a plain SHA-256 is enough to store it: nobody can guess their way back from the
 * hash, and a slow password hash would cost every API call tens of milliseconds.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** base64url of 32 bytes: 43 characters. Anything else is not one of ours and needs no database lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function newClientId(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${slug || 'client'}-${randomBytes(4).toString('hex')}`;
}

/** Registering and revoking API clients: only the command line calls this (`npm run cli -- api-client …`). */
export function apiClientsService(db: Knex, now: () => number) {
  return {
    /** A new client with a new secret, which is returned here once and stored only as its hash. */
    create(name: string, actor: Actor): Promise<CreateClientResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        // One transaction at a time names clients, so two runs cannot both take the same name.
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['api_clients.create']);
        const existing = await repository.activeClientNamed(trx, name);
        if (existing) return { outcome: 'name-taken', clientId: existing.client_id };
        const secret = randomBytes(32).toString('base64url');
        const row = await repository.insertClient(
          trx,
          { name, clientId: newClientId(name), secretHash: hashToken(secret) },
          at,
        );
        await recordAudit(
          trx,
          {
            actor,
            action: 'api_client.created',
            subjectType: 'api_client',
            subjectId: row.id,
            after: { name: row.name, clientId: row.client_id, revokedAt: null },
          },
          at,
        );
        return { outcome: 'created', id: row.id, clientId: row.client_id, name: row.name, secret };
      });
    },

    /** Stops the client's token working (at once in new processes, within the cache time in running ones). */
    revoke(clientId: string, actor: Actor): Promise<RevokeClientResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const client = await repository.clientForUpdate(trx, clientId);
        if (!client) return { outcome: 'not-found' };
        if (client.revoked_at) return { outcome: 'already-revoked', name: client.name, revokedAt: client.revoked_at };
        const revokedAt = await repository.revokeClient(trx, client.id, at);
        await recordAudit(
          trx,
          {
            actor,
            action: 'api_client.revoked',
            subjectType: 'api_client',
            subjectId: client.id,
            before: { name: client.name, clientId: client.client_id, revokedAt: null },
            after: { name: client.name, clientId: client.client_id, revokedAt },
          },
          at,
        );
        return { outcome: 'revoked', name: client.name, revokedAt };
      });
    },

    async list(): Promise<ApiClientSummary[]> {
      const rows = await repository.listClients(db);
      return rows.map((row) => ({
        clientId: row.client_id,
        name: row.name,
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
      }));
    },
  };
}

export type ApiClientsService = ReturnType<typeof apiClientsService>;

/** Far more clients than the agency has services; past it the cache starts over rather than grow. */
const CACHE_LIMIT = 1000;

/**
 * Finds the client a bearer token belongs to. Successful look-ups are kept in memory for `cacheSeconds`, so the hot
 * path seldom reads api_clients; a revoked client is therefore refused within that time, not at once.
 */
export function clientAuthenticator(db: Knex, now: () => number, options: { cacheSeconds: number }) {
  const cache = new Map<string, { client: AuthenticatedClient; until: number }>();
  return async function authenticate(token: string): Promise<AuthenticatedClient | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const cached = cache.get(hash);
    if (cached && cached.until > now()) return cached.client;
    cache.delete(hash);
    const row = await repository.activeClientByHash(db, hash);
    if (!row) return undefined;
    const client = { id: row.id, clientId: row.client_id, name: row.name };
    if (options.cacheSeconds > 0) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(hash, { client, until: now() + options.cacheSeconds * 1000 });
    }
    return client;
  };
}

export type ClientAuthenticator = ReturnType<typeof clientAuthenticator>;
