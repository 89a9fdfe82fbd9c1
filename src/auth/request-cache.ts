import type { Knex } from 'knex';
import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';

/** The value of an id reserved before node-saml has sent the request. */
const RESERVED = '';

/**
 * node-saml's cache of outstanding AuthnRequest ids, in PostgreSQL so that every app instance shares it. An id can
 * be taken once: removing marks it consumed (the portal's checks read the request time afterwards).
 */
export class PostgresRequestCache implements CacheProvider {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number,
    private readonly expiryMs: number,
  ) {}

  /** Reserves a request id before node-saml builds the request, with where to go after the login. */
  async reserve(key: string, returnPath: string): Promise<void> {
    await this.db('saml_request_ids').insert({
      id: key,
      value: RESERVED,
      return_path: returnPath,
      created_at: new Date(this.now()),
    });
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = this.now();
    // A reserved id takes node-saml's value; any other existing id is left alone.
    const inserted = await this.db('saml_request_ids')
      .insert({ id: key, value, created_at: new Date(createdAt) })
      .onConflict('id')
      .merge({ value, created_at: new Date(createdAt) })
      .where('saml_request_ids.value', RESERVED)
      .whereNull('saml_request_ids.consumed_at')
      .returning('id');
    await this.db('saml_request_ids')
      .where('created_at', '<', new Date(createdAt - 24 * 3_600_000))
      .delete();
    return inserted.length > 0 ? { value, createdAt } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    const row = await this.db('saml_request_ids')
      .where({ id: key })
      .whereNull('consumed_at')
      .whereNot('value', RESERVED)
      .where('created_at', '>', new Date(this.now() - this.expiryMs))
      .first<{ value: string } | undefined>('value');
    return row?.value ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const [row] = await this.db('saml_request_ids')
      .where({ id: key })
      .whereNull('consumed_at')
      .update({ consumed_at: new Date(this.now()) })
      .returning<{ value: string }[]>('value');
    return row?.value ?? null;
  }

  /** Where the login that answers this request should end, if the person was on their way somewhere. */
  async returnPath(key: string): Promise<string | null> {
    const row = await this.db('saml_request_ids')
      .where({ id: key })
      .first<{ return_path: string | null } | undefined>('return_path');
    return row?.return_path ?? null;
  }

  /** When the request was sent (its IssueInstant), whether or not it has been consumed. */
  async requestInstant(key: string): Promise<number | null> {
    const row = await this.db('saml_request_ids').where({ id: key }).first<{ value: string } | undefined>('value');
    if (!row) return null;
    const instant = Date.parse(row.value);
    return Number.isNaN(instant) ? null : instant;
  }
}
