import type { Knex } from 'knex';
import type pg from 'pg';

/** The part of knex's (untyped) client that lends out one of its pool's pg connections. */
interface ConnectionLender {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

/**
 * Runs `work` with one connection of the pool to itself: COPY needs the raw pg client, and a session-level
 * advisory lock must be released on the connection that took it.
 */
export async function withOwnConnection<T>(db: Knex, work: (connection: pg.Client) => Promise<T>): Promise<T> {
  const lender = db.client as ConnectionLender;
  const connection = await lender.acquireConnection();
  try {
    return await work(connection);
  } finally {
    await lender.releaseConnection(connection);
  }
}

/** Another import or clean-up holds the lock; nothing was changed. */
export class ImportBusyError extends Error {
  constructor() {
    super('another import or clean-up is running against this database; try again when it has finished');
  }
}

const LOCK = `hashtext('portal:import')`;

/** Runs `work` while holding the import's advisory lock, or throws ImportBusyError when another run holds it. */
export async function withImportLock<T>(connection: pg.Client, work: () => Promise<T>): Promise<T> {
  const { rows } = await connection.query<{ locked: boolean }>(`select pg_try_advisory_lock(${LOCK}) as locked`);
  if (!rows[0]?.locked) throw new ImportBusyError();
  try {
    return await work();
  } finally {
    await connection.query(`select pg_advisory_unlock(${LOCK})`);
  }
}
