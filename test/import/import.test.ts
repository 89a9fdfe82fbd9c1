import { describe, expect, it } from 'vitest';
import { importReport } from '../../src/import/report';
import { importService, type ImportResult } from '../../src/import/service';
import { freshDatabase } from '../helpers/database';
import { countOf, importedState, rowCounts, SAMPLE, sha256 } from './helpers';

const NOW = Date.parse('2026-11-28T09:00:00Z');
const CHECKSUM = sha256(SAMPLE);
const ANDERS = '191212019317';
const BIRGITTA = '191212029423';
const MAJA = '191212209587';
const JOHANNA = '191212179293';
const KARL = '191212189359';

function imported(result: ImportResult) {
  if (result.outcome !== 'imported') throw new Error(`expected an import, got ${result.outcome}`);
  return result;
}

describe('importing the sample file', async () => {
  const { db } = await freshDatabase();
  const service = importService(db, () => NOW);

  it('dry run: reports what the file holds and would create, and changes nothing', async () => {
    const before = await rowCounts(db);
    const result = await service.importFile({ filePath: SAMPLE });
    expect(result).toMatchObject({
      outcome: 'checked',
      fileName: 'import-sample.csv',
      checksum: CHECKSUM,
      rowsRead: 25,
      earlier: [],
      plan: {
        employers: { inFile: 3, new: 3 },
        codes: { inFile: 5, new: 5 },
        persons: { inFile: 14, new: 14 },
        permissions: { inFile: 25, new: 25 },
      },
    });
    expect(await rowCounts(db)).toEqual(before);
    expect(await db('import_runs').select('mode', 'outcome', 'checksum')).toEqual([
      { mode: 'dry-run', outcome: 'checked', checksum: CHECKSUM },
    ]);
    const report = importReport(result);
    expect(report).toContain('Rows read: 25; accepted: 25; refused: 0');
    expect(report).toMatch(/permissions\s+25\s+25\s+0/);
    expect(report).toContain('Dry run: nothing was changed.');
    expect(report).not.toContain(ANDERS);
  });

  it('apply: the database holds what the file says, audited as the import, with no email', async () => {
    const result = imported(await service.importFile({ filePath: SAMPLE, apply: true, batchSize: 4 }));
    expect(result.created).toEqual({ employers: 3, codes: 5, persons: 14, permissions: 25 });
    expect(result.auditRows).toBe(3 + 5 + 18);

    const state = await importedState(db);
    expect(state.employers).toEqual([
      { organisation_number: '2021004136', name: 'Statens exempelverk', registry_email: null },
      { organisation_number: '2021005125', name: 'Länsstyrelsen i Exempellän', registry_email: null },
      { organisation_number: '2021006149', name: 'Exempelhögskolan', registry_email: null },
    ]);
    expect(state.codes.map((code) => [code.code, code.active, code.organisation_number, code.name])).toEqual([
      ['50101', true, '2021005125', 'Länsstyrelsen i Exempellän'],
      ['50102', true, '2021005125', 'Länsstyrelsen i Exempellän'],
      ['50201', true, '2021004136', 'Statens exempelverk'],
      ['50299', false, '2021004136', 'Statens exempelverk'],
      ['50301', true, '2021006149', 'Exempelhögskolan'],
    ]);
    const person = (number: string) => state.persons.find((row) => row.personal_identity_number === number);
    expect(state.persons).toHaveLength(14);
    expect(person(ANDERS)).toMatchObject({ display_name: 'Anders Ek', email: 'anders.ek@lansstyrelsen.example' });
    // a date is the start of that day in Sweden; a date-time without a zone is Swedish time
    expect(person(ANDERS)?.legacy_last_login_at).toEqual(new Date('2026-10-14T22:00:00Z'));
    expect(person(BIRGITTA)?.legacy_last_login_at).toEqual(new Date('2026-11-02T07:15:00Z'));
    expect(person(MAJA)?.legacy_last_login_at).toEqual(new Date('2026-11-27T15:40:00Z'));
    expect(person(JOHANNA)).toMatchObject({ email: null, last_login_at: null });
    expect(state.persons.filter((row) => row.legacy_last_login_at === null)).toHaveLength(3);

    expect(state.permissions).toHaveLength(25);
    expect(state.permissions.every((row) => row.source === 'import' && row.granted_by_person_id === null)).toBe(true);
    expect(
      state.permissions.filter((row) => row.personal_identity_number === KARL).map((row) => [row.code, row.key]),
    ).toEqual([
      ['50101', 'rapport-direkt'],
      ['50301', 'rapport-direkt'],
    ]);

    const audit = await db('audit_log').orderBy('id');
    expect(audit).toHaveLength(26);
    expect(audit.every((row: { actor_type: string }) => row.actor_type === 'import')).toBe(true);
    for (const row of audit as { after: { file: string; checksum: string } }[]) {
      expect(row.after).toMatchObject({ file: 'import-sample.csv', checksum: CHECKSUM });
    }
    expect(await countOf(db, 'audit_log', { action: 'employer.imported' })).toBe(3);
    expect(await countOf(db, 'audit_log', { action: 'employer_code.imported' })).toBe(5);
    expect(await countOf(db, 'audit_log', { action: 'user.imported' })).toBe(18);
    const anders = state.audit.filter((row) => row.personal_identity_number === ANDERS);
    expect(anders.map((row) => [row.action, row.code, row.services])).toEqual([
      ['user.imported', '50101', ['rapport-direkt', 'visa-anstallning']],
      ['user.imported', '50102', ['rapport-direkt']],
    ]);
    expect(await countOf(db, 'outbox')).toBe(0);
    expect(await countOf(db, 'import_rows')).toBe(0);
    expect(await db('import_runs').where({ mode: 'apply' }).select('outcome')).toEqual([{ outcome: 'imported' }]);
  });

  it('re-apply: nothing changes, and the report says the file was imported before', async () => {
    const before = await rowCounts(db);
    const state = await importedState(db);
    const result = imported(await service.importFile({ filePath: SAMPLE, apply: true }));
    expect(result.created).toEqual({ employers: 0, codes: 0, persons: 0, permissions: 0 });
    expect(result.personsUpdated).toBe(0);
    expect(result.auditRows).toBe(0);
    expect(await rowCounts(db)).toEqual(before);
    expect(await importedState(db)).toEqual(state);
    expect(importReport(result)).toContain('This file (same SHA-256) was imported before');
  });

  it('never brings back a permission that was removed after the import', async () => {
    const revoked = await db('permissions as p')
      .join('persons as pe', 'pe.id', 'p.person_id')
      .where('pe.personal_identity_number', ANDERS)
      .first<{ id: string }>('p.id');
    await db('permissions')
      .where({ id: revoked.id })
      .update({ revoked_at: new Date(NOW) });
    expect(revoked).toBeDefined();
    const before = await rowCounts(db);
    const result = imported(await service.importFile({ filePath: SAMPLE, apply: true }));
    expect(result.created.permissions).toBe(0);
    expect(await rowCounts(db)).toEqual(before);
    expect(await countOf(db, 'permissions', { id: revoked.id, revoked_at: new Date(NOW) })).toBe(1);
  });

  it('keeps a known person’s name and email, fills an email they lack, and keeps the later old-records login', async () => {
    await db('persons')
      .where({ personal_identity_number: BIRGITTA })
      .update({ email: null, display_name: 'B. Sjöberg' });
    await db('persons')
      .where({ personal_identity_number: MAJA })
      .update({ legacy_last_login_at: new Date('2026-11-28T08:00:00Z'), email: 'maja@annan.example' });
    const result = imported(await service.importFile({ filePath: SAMPLE, apply: true }));
    expect(result.personsUpdated).toBe(1);
    const rows = await db('persons')
      .whereIn('personal_identity_number', [BIRGITTA, MAJA])
      .orderBy('personal_identity_number')
      .select('display_name', 'email', 'legacy_last_login_at');
    expect(rows).toEqual([
      {
        display_name: 'B. Sjöberg',
        email: 'birgitta.sjoberg@lansstyrelsen.example',
        legacy_last_login_at: new Date('2026-11-02T07:15:00Z'),
      },
      {
        display_name: 'Maja Håkansson',
        email: 'maja@annan.example',
        legacy_last_login_at: new Date('2026-11-28T08:00:00Z'),
      },
    ]);
  });
});

describe('an import interrupted after its first batch', async () => {
  const clean = await freshDatabase();
  const interrupted = await freshDatabase();

  it('completes when run again, without duplicates, in the same state as a clean import', async () => {
    await importService(clean.db, () => NOW).importFile({ filePath: SAMPLE, apply: true, batchSize: 4 });

    const service = importService(interrupted.db, () => NOW);
    const batches: number[] = [];
    await expect(
      service.importFile({
        filePath: SAMPLE,
        apply: true,
        batchSize: 4,
        onBatchDone: ({ number }) => {
          batches.push(number);
          throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(batches).toEqual([1]);
    const partial = await countOf(interrupted.db, 'permissions');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(25);
    expect(await countOf(interrupted.db, 'import_rows')).toBe(0);

    const dryRun = await service.importFile({ filePath: SAMPLE });
    expect(importReport(dryRun)).toContain('did not finish; applying it again completes it');
    const resumed = imported(await service.importFile({ filePath: SAMPLE, apply: true, batchSize: 4 }));
    expect(resumed.created.permissions).toBe(25 - partial);
    expect(resumed.created.employers).toBe(0);

    expect(await importedState(interrupted.db)).toEqual(await importedState(clean.db));
    const { rows } = await interrupted.db.raw<{ rows: { n: number }[] }>(
      `select count(*)::int as n from permissions group by person_id, employer_code_id, service_id having count(*) > 1`,
    );
    expect(rows).toEqual([]);
  });
});
