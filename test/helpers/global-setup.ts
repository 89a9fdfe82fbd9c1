import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createKnex, withDatabase } from '../../src/db/knex';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded';
import { migrateToLatest } from '../../src/db/migrations';
import { dropDatabasesLike, runId } from './database-admin';
import { fcSeedFrom } from './fc-seed';
import { freePort } from './ports';
import { makeDevelopmentKeys } from './keys';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the server's maintenance database; tests make their own databases on it. */
    serverUrl: string;
    /** A migrated database that each test file copies (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
    runId: string;
    /** DATA_DIR for the apps under test: development keys made once per run. */
    dataDir: string;
  }
}

/**
 * One PostgreSQL per test run: the embedded server in a temporary folder when DATABASE_URL is unset, otherwise the
 * server DATABASE_URL names. Each run makes a fresh template database and migrates it; test files copy it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // a wrong FC_SEED stops the run here, before a database starts (the setup file that uses it runs after this)
  fcSeedFrom(process.env);
  let embedded: EmbeddedServer | undefined;
  let tempDir: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tempDir = await mkdtemp(path.join(tmpdir(), 'portal-test-pg-'));
    // mkdtemp makes a private (0700) folder: startEmbeddedPostgres must let the postgres user in when we are root.
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: await freePort(),
      persistent: false,
    });
    serverUrl = embedded.url;
  }
  const id = runId();
  const templateDatabase = `portal_test_${id}_template`;
  const admin = createKnex(serverUrl, { min: 0, max: 1 });
  await admin.raw('create database ??', [templateDatabase]);
  await admin.destroy();
  const template = createKnex(withDatabase(serverUrl, templateDatabase), { min: 0, max: 1 });
  await migrateToLatest(template);
  await template.destroy();

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('runId', id);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portal-test-data-'));
  await makeDevelopmentKeys(dataDir);
  project.provide('dataDir', dataDir);

  return async () => {
    await rm(dataDir, { recursive: true, force: true });
    if (embedded) {
      await embedded.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    } else {
      await dropDatabasesLike(serverUrl, `portal_test_${id}_`);
    }
  };
}
