import pg from 'pg';

/** The session store's own small pool (connect-pg-simple speaks pg, not knex). */
export function createSessionPool(connectionString: string): pg.Pool {
  return new pg.Pool({ connectionString, max: 5 });
}
