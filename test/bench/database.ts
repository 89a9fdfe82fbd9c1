import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withDatabase } from '../../src/db/knex';
import type { Scale } from './scale';

/** The machine's own PostgreSQL, where `npm run bench*` makes its database unless BENCH_DATABASE_URL says otherwise. */
const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

/** BENCH_DATABASE_URL when set, otherwise `portal_bench_<scale>` on the machine's server. */
export function benchDatabaseUrl(scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return env.BENCH_DATABASE_URL ?? withDatabase(LOCAL_SERVER, `portal_bench_${scale.name}`);
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops the database the URL names (closing its connections) and creates it empty. */
export function recreateDatabase(url: string): Promise<void> {
  const name = pg.escapeIdentifier(databaseName(url));
  return onServer(url, async (client) => {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  });
}

/** What the generator left on the database (its comment): the scale and how long the load took. */
export interface GeneratedData {
  scale: Scale['name'];
  seconds: number;
  /** Seconds per step of the load. */
  steps: Record<string, number>;
  rows: Record<string, number>;
  generatedAt: string;
}

export function readGenerated(url: string): Promise<GeneratedData | undefined> {
  return onServer(url, async (client) => {
    const { rows } = await client.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [databaseName(url)],
    );
    const comment = rows[0]?.comment;
    if (!comment?.startsWith('{')) return undefined;
    return JSON.parse(comment) as GeneratedData;
  });
}

export async function writeGenerated(client: pg.Client, url: string, data: GeneratedData): Promise<void> {
  await client.query(
    `comment on database ${pg.escapeIdentifier(databaseName(url))} is ${pg.escapeLiteral(JSON.stringify(data))}`,
  );
}

/** Runs the work and returns its result with the seconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}
