import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex, withDatabase } from '../../src/db/knex';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrations';
import { loadDemoData } from '../../src/demo/seed';
import { createDatabase, dropDatabase } from '../helpers/database-admin';

const run = promisify(execFile);

/**
 * The machine's own PostgreSQL 15, whatever the suite's DATABASE_URL: pg_dump and pg_restore come with it (the
 * embedded PostgreSQL has none), and a dump is restored with the tools of the server's own version.
 */
const SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

interface TableState {
  rows: number;
  checksum: string | null;
}

/** Every table of the portal's schemas: its row count and an md5 over its rows in a fixed order. */
async function snapshot(db: Knex): Promise<Map<string, TableState>> {
  const { rows: tables } = await db.raw<{ rows: { name: string }[] }>(`
    select format('%I.%I', table_schema, table_name) as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1`);
  const state = new Map<string, TableState>();
  for (const { name } of tables) {
    const { rows } = await db.raw<{ rows: { rows: number; checksum: string | null }[] }>(
      `select count(*)::int as rows, md5(string_agg(t::text, E'\\n' order by t::text)) as checksum from ${name} t`,
    );
    const row = rows[0];
    if (row) state.set(name, row);
  }
  return state;
}

describe('a backup with pg_dump restored with pg_restore', () => {
  const prefix = `portal_backup_test_${randomBytes(4).toString('hex')}`;
  const source = `${prefix}_source`;
  const restored = `${prefix}_restored`;
  let dumpDir: string;
  let sourceDb: Knex;
  let restoredDb: Knex;

  beforeAll(async () => {
    dumpDir = await mkdtemp(path.join(tmpdir(), 'portal-backup-'));
    await createDatabase(SERVER, source);
    await createDatabase(SERVER, restored);
    sourceDb = createKnex(withDatabase(SERVER, source), { min: 0, max: 2 });
    restoredDb = createKnex(withDatabase(SERVER, restored), { min: 0, max: 2 });
    await migrateToLatest(sourceDb);
    await loadDemoData(sourceDb);
  }, 120_000);

  afterAll(async () => {
    await sourceDb.destroy();
    await restoredDb.destroy();
    await dropDatabase(SERVER, source);
    await dropDatabase(SERVER, restored);
    await rm(dumpDir, { recursive: true, force: true });
  });

  it('restores into a fresh database the same tables, row counts and rows', async () => {
    const dump = path.join(dumpDir, 'portal.dump');
    // The commands DEPLOYMENT.md gives: a custom-format dump, restored without owners into an empty database.
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, withDatabase(SERVER, source)]);
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${withDatabase(SERVER, restored)}`, dump]);

    const before = await snapshot(sourceDb);
    const after = await snapshot(restoredDb);
    expect(before.get('public.persons')?.rows).toBeGreaterThan(0);
    expect(before.get('public.permissions')?.rows).toBeGreaterThan(0);
    expect(before.get('public.knex_migrations')?.rows).toBeGreaterThan(0);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));

    // The restored database is ready for the portal as it is: no migration left to run.
    expect(await pendingMigrations(restoredDb)).toEqual([]);
  }, 120_000);
});
