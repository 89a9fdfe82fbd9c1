import knex, { type Knex } from 'knex';
import pg from 'pg';

// Return bigint counts and numeric values as strings, but dates as JS Dates (pg's default).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createKnex(connectionString: string, pool: { min: number; max: number } = { min: 0, max: 10 }): Knex {
  return knex({ client: 'pg', connection: connectionString, pool });
}

/** Replaces the database name in a postgres:// URL. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}
