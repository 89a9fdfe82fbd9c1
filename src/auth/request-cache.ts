import type { Knex } from 'knex';
import type { CacheItem, CacheProvider } from '@node-saml/passport-saml';

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

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = this.now();
    const inserted = await this.db('saml_request_ids')
      .insert({ id: key, value, created_at: new Date(createdAt) })
      .onConflict('id')
      .ignore()
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

  /** When the request was sent (its IssueInstant), whether or not it has been consumed. */
  async requestInstant(key: string): Promise<number | null> {
    const row = await this.db('saml_request_ids').where({ id: key }).first<{ value: string } | undefined>('value');
    if (!row) return null;
    const instant = Date.parse(row.value);
    return Number.isNaN(instant) ? null : instant;
  }
}
