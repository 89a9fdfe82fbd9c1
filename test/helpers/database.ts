import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { afterAll, inject } from 'vitest';
import { createKnex, withDatabase } from '../../src/db/knex';
import { createDatabase, dropDatabase } from './database-admin';

export interface TestDatabase {
  db: Knex;
  url: string;
  name: string;
}

/**
 * A fresh database for one test file: a copy of the run's migrated template (or an empty one), dropped after the
 * file's tests (call it at the top of a file or a describe block, where afterAll applies). The run's teardown drops
 * any that are left.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('serverUrl');
  const name = `portal_test_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  await createDatabase(serverUrl, name, options.migrated === false ? undefined : inject('templateDatabase'));
  const url = withDatabase(serverUrl, name);
  const db = createKnex(url, { min: 0, max: 5 });
  afterAll(async () => {
    await db.destroy();
    await dropDatabase(serverUrl, name);
  });
  return { db, url, name };
}
