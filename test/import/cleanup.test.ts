import { describe, expect, it } from 'vitest';
import { cleanupInactive } from '../../src/import/cleanup';
import { cleanupReport } from '../../src/import/report';
import { importService } from '../../src/import/service';
import { freshDatabase } from '../helpers/database';
import { countOf, rowCounts, SAMPLE } from './helpers';

const NOW = new Date('2026-11-28T09:00:00Z');
const OPTIONS = { before: '2026-11-28', months: 18 };
const DAVID = '191212049637';
const FREDRIK = '191212139859';

describe('the pre-launch clean-up of inactive imported users', async () => {
  const { db } = await freshDatabase();
  await importService(db, () => NOW.getTime()).importFile({ filePath: SAMPLE, apply: true });
  // David logged in to the portal last week: his old-records login no longer counts
  await db('persons')
    .where({ personal_identity_number: DAVID })
    .update({ last_login_at: new Date('2026-11-20T10:00:00Z') });
  // Fredrik was given a permission in the portal: the clean-up leaves it alone
  const hanna = await db('persons').where({ personal_identity_number: '191212159071' }).first<{ id: string }>('id');
  const fredrik = await db('persons').where({ personal_identity_number: FREDRIK }).first<{ id: string }>('id');
  const code = await db('employer_codes').where({ code: '50201' }).first<{ id: string }>('id');
  const service = await db('services').where({ key: 'rapporter' }).first<{ id: string }>('id');
  await db('permissions').insert({
    person_id: fredrik.id,
    employer_code_id: code.id,
    service_id: service.id,
    granted_by_person_id: hanna.id,
    granted_at: new Date('2026-11-27T10:00:00Z'),
  });

  const expectedEmployers = [
    { organisationNumber: '2021006149', name: 'Exempelhögskolan', persons: 2, neverLoggedIn: 1, permissions: 2 },
    {
      organisationNumber: '2021005125',
      name: 'Länsstyrelsen i Exempellän',
      persons: 1,
      neverLoggedIn: 1,
      permissions: 1,
    },
    { organisationNumber: '2021004136', name: 'Statens exempelverk', persons: 3, neverLoggedIn: 1, permissions: 5 },
  ];

  it('dry run: reports per employer whom it would remove, and changes nothing', async () => {
    const before = await rowCounts(db);
    const result = await cleanupInactive(db, OPTIONS, NOW);
    expect(result.applied).toBe(false);
    // 18 months before 28 November 2026, midnight in Sweden
    expect(result.cutoff).toEqual(new Date('2025-05-27T22:00:00Z'));
    expect(result.employers).toEqual(expectedEmployers);
    expect(result.total).toEqual({ persons: 6, neverLoggedIn: 3, permissions: 8 });
    expect(await rowCounts(db)).toEqual(before);

    const report = cleanupReport(result, OPTIONS);
    expect(report).toMatch(/202100-4136\s+Statens exempelverk\s+3\s+1\s+5/);
    expect(report).toMatch(/Total\s+6\s+3\s+8/);
    expect(report).toContain('Dry run: nothing was changed.');
  });

  it('apply: revokes those permissions, one audit row per person and code, no email; then finds nothing', async () => {
    const result = await cleanupInactive(db, { ...OPTIONS, apply: true }, NOW);
    expect(result.employers).toEqual(expectedEmployers);
    expect(await countOf(db, 'permissions', { revoked_at: NOW })).toBe(8);
    expect(await countOf(db, 'permissions', { source: 'portal', revoked_at: null })).toBe(1);

    const audit = await db('audit_log as a')
      .joinRaw('join persons as p on p.id::text = a.subject_id')
      .join('employer_codes as c', 'c.id', 'a.employer_code_id')
      .where('a.action', 'user.removed_inactive')
      .orderBy(['p.personal_identity_number', 'c.code'])
      .select<{ actor_type: string; code: string; before: { services: string[] }; after: { lastLoginAt: string } }[]>(
        'a.actor_type',
        'c.code',
        'a.before',
        'a.after',
      );
    expect(audit.map((row) => row.code)).toEqual(['50102', '50201', '50201', '50299', '50301', '50301', '50299']);
    expect(audit.every((row) => row.actor_type === 'system')).toBe(true);
    expect(audit[1]?.before.services).toEqual(['rapport-direkt', 'visa-anstallning']);
    expect(await countOf(db, 'outbox')).toBe(0);
    expect(cleanupReport(result, OPTIONS)).toContain('Removed 8 permissions of 6 persons. No email was sent.');

    const again = await cleanupInactive(db, { ...OPTIONS, apply: true }, NOW);
    expect(again.total).toEqual({ persons: 0, neverLoggedIn: 0, permissions: 0 });
    expect(cleanupReport(again, OPTIONS)).toContain('No such users.');
  });

  it('the removed permissions stay removed when the file is imported again', async () => {
    const before = await rowCounts(db);
    await importService(db, () => NOW.getTime()).importFile({ filePath: SAMPLE, apply: true });
    expect(await rowCounts(db)).toEqual(before);
  });
});
