import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { migrateToLatest, pendingMigrations } from './migrations';

export class PendingMigrationsError extends Error {
  constructor(readonly pending: string[]) {
    super(`${pending.length} database migration(s) pending: run \`npm run migrate\` before starting`);
    this.name = 'PendingMigrationsError';
  }
}

/**
 * In development the app migrates its own database; in production migrations are a separate step before a rollout,
 * and the app refuses to start while any are pending.
 */
export async function prepareDatabase(db: Knex, options: { production: boolean; logger: Logger }): Promise<void> {
  if (options.production) {
    const pending = await pendingMigrations(db);
    if (pending.length > 0) throw new PendingMigrationsError(pending);
    return;
  }
  const applied = await migrateToLatest(db);
  if (applied.length > 0) options.logger.info({ applied }, 'applied migrations');
}
