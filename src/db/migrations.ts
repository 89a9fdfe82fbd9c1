import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../migrations');
const MIGRATION_FILE = /^\d{8}_\d{6}_[a-z0-9_]+\.ts$/;

interface MigrationModule {
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}

/**
 * Loads the TypeScript migrations through our own import(), so the same code works under tsx and under vitest
 * (knex's own loader would import them with Node's plain loader, which does not read TypeScript).
 */
export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = await readdir(MIGRATIONS_DIR);
    return files.filter((file) => MIGRATION_FILE.test(file)).sort();
  },
  getMigrationName(migration) {
    return migration;
  },
  async getMigration(migration) {
    const module = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, migration)).href)) as MigrationModule;
    return { up: module.up, down: module.down };
  },
};

export const migratorConfig: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migratorConfig)) as [number, string[]];
  return applied;
}

export async function pendingMigrations(db: Knex): Promise<string[]> {
  // With a custom migration source knex lists pending migrations as the source gives them: here, file names.
  const [, pending] = (await db.migrate.list(migratorConfig)) as [unknown[], (string | { file: string })[]];
  return pending.map((migration) => (typeof migration === 'string' ? migration : migration.file));
}
