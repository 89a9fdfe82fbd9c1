import { describe, expect, it } from 'vitest';
import { migrateToLatest, migratorConfig, pendingMigrations } from '../../src/db/migrations';
import { freshDatabase } from '../helpers/database';
import { schemaSnapshot } from './schema-snapshot';

const { db } = await freshDatabase({ migrated: false });

const EXPECTED_TABLES = [
  'access_requests',
  'access_review_items',
  'access_reviews',
  'api_clients',
  'audit_log',
  'dev_mailbox',
  'employer_codes',
  'employers',
  'import_rows',
  'import_runs',
  'inactivity_notifications',
  'launch_letters',
  'orderer_applications',
  'outbox',
  'permissions',
  'persons',
  'role_assignments',
  'saml_assertion_ids',
  'saml_request_ids',
  'services',
  'sessions',
  'signature_requests',
  'signatures',
  'staff',
  'terms_versions',
];

describe('migrations', () => {
  it('create every table of the domain, and leave nothing of ours once rolled back', async () => {
    const empty = await schemaSnapshot(db);
    expect(empty.tables).toEqual([]);
    expect(empty.functions).toEqual([]);

    const applied = await migrateToLatest(db);
    expect(applied.length).toBeGreaterThanOrEqual(6);
    expect(await pendingMigrations(db)).toEqual([]);
    const migrated = await schemaSnapshot(db);
    expect(migrated.tables).toEqual(EXPECTED_TABLES);
    expect(migrated.functions).toEqual(
      expect.arrayContaining(['luhn_valid(text)', 'personal_identity_number_valid(text)', 'audit_log_refuse_change()']),
    );

    await db.migrate.rollback(migratorConfig, true);
    expect(await schemaSnapshot(db)).toEqual(empty);

    await migrateToLatest(db);
    expect(await schemaSnapshot(db)).toEqual(migrated);
  });

  it('each down exactly reverses its up', async () => {
    await db.migrate.rollback(migratorConfig, true);
    const migrations = await pendingMigrations(db);
    expect(migrations.length).toBeGreaterThan(5);
    expect(migrations.every((name) => /^\d{8}_\d{6}_[a-z0-9_]+\.ts$/.test(name))).toBe(true);
    for (const migration of migrations) {
      const before = await schemaSnapshot(db);
      await db.migrate.up({ ...migratorConfig, name: migration });
      const after = await schemaSnapshot(db);
      expect(after, `${migration} changes nothing`).not.toEqual(before);
      await db.migrate.down({ ...migratorConfig, name: migration });
      expect(await schemaSnapshot(db), `${migration} down`).toEqual(before);
      await db.migrate.up({ ...migratorConfig, name: migration });
      expect(await schemaSnapshot(db), `${migration} up again`).toEqual(after);
    }
    expect(await pendingMigrations(db)).toEqual([]);
  });
});
