import type { Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createKnex } from './db/knex';
import { openDatabase } from './db/open';
import { PendingMigrationsError, prepareDatabase } from './db/prepare';
import { createSessionPool } from './db/sessions-pool';
import { loadDemoData } from './demo/seed';
import { createLogger } from './logger';

function configOrExit(): Config {
  try {
    if (typeof process.loadEnvFile === 'function') {
      try {
        process.loadEnvFile();
      } catch {
        // No .env file: the environment alone is used.
      }
    }
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger(config.logLevel);
const connection = await openDatabase(config, logger);
const db = createKnex(connection.url);

try {
  await prepareDatabase(db, { production: config.isProduction, logger });
} catch (error) {
  if (!(error instanceof PendingMigrationsError)) throw error;
  logger.fatal({ pending: error.pending }, error.message);
  await db.destroy();
  await connection.close();
  process.exit(1);
}
if (config.loadDemoData) {
  await loadDemoData(db);
  logger.info('demo data loaded (see README for the demo persons)');
}

const sessionPool = createSessionPool(connection.url);
const { app } = await createApp({ config, db, sessionPool, logger, now: Date.now });
const server: Server = app.listen(config.port, () => {
  logger.info(`portal listening at ${config.baseUrl}`);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  server.closeIdleConnections();
  await Promise.allSettled([db.destroy(), sessionPool.end()]);
  await connection.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
