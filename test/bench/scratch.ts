/**
 * What the one-off benchmark scripts share (bench:inactivity, bench:import, bench:launch, test/audit/bench-history.ts):
 * a new migrated database on DATABASE_URL's server (or the embedded one) that is dropped afterwards, a timer that
 * prints a line, and the exit code.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config';
import { createKnex, withDatabase } from '../../src/db/knex';
import { migrateToLatest } from '../../src/db/migrations';
import { openDatabase } from '../../src/db/open';
import { createLogger } from '../../src/logger';
import { createDatabase, dropDatabase } from '../helpers/database-admin';

export async function withScratchDatabase<T>(
  prefix: string,
  work: (db: Knex, url: string) => Promise<T>,
  pool: { min: number; max: number } = { min: 1, max: 4 },
): Promise<T> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const connection = await openDatabase(config, createLogger('silent'));
  const name = `${prefix}_${Date.now().toString(36)}`;
  const serverUrl = withDatabase(connection.url, 'postgres');
  await createDatabase(serverUrl, name);
  const url = withDatabase(connection.url, name);
  const db = createKnex(url, pool);
  try {
    await migrateToLatest(db);
    return await work(db, url);
  } finally {
    await db.destroy();
    await dropDatabase(serverUrl, name);
    await connection.close();
  }
}

/** Runs the work and prints the label with the time it took, in seconds or milliseconds. */
export async function printTimed<T>(
  label: string,
  work: () => Promise<T>,
  options: { unit: 's' | 'ms'; width: number } = { unit: 's', width: 44 },
): Promise<T> {
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const figure = options.unit === 's' ? `${(ms / 1000).toFixed(2).padStart(8)} s` : `${ms.toFixed(1).padStart(9)} ms`;
  console.log(`${label.padEnd(options.width)} ${figure}`);
  return result;
}

/** The Luhn check digit of a 9-digit payload, as a session function for set-based generation. */
export const LUHN_DIGIT_FUNCTION = `
  create function pg_temp.luhn_digit(payload text) returns text language sql immutable as $$
    select ((10 - sum(case when i % 2 = 1
                           then (substr(payload, i, 1)::int * 2) % 10 + (substr(payload, i, 1)::int * 2) / 10
                           else substr(payload, i, 1)::int end) % 10) % 10)::text
      from generate_series(1, 9) as i
  $$`;

/** Runs a script's main and exits with 0, or prints the error and exits with 1. */
export function runScript(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
