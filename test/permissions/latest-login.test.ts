import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { runInactivityCheck } from '../../src/jobs/inactivity';
import { permissionsService, type OverviewQuery } from '../../src/permissions/service';
import { buildTestApp } from '../helpers/app';
import { demoIds, scopeFor } from './helpers';

/**
 * The administrators' overview and export count a user's later login, in the portal or in the old records
 * (legacy_last_login_at), and treat imported permissions as old: the same rule as the daily inactivity check.
 */
const { db, config, clock } = await buildTestApp();
await loadDemoData(db);
const ids = await demoIds(db);
const service = permissionsService(db, () => clock.now, config);
const maria = scopeFor(ids, 'administrator-all-codes', 'administrator');
const sara = ids.person('user-reporting');
const query: OverviewQuery = { inactiveOnly: false, search: '', page: 1 };

const monthsAgo = (months: number) => db.raw(`now() - make_interval(months => ?)`, [months]);

async function setSara(login: { portal: number | null; legacy: number | null }, grants: 'old' | 'new-import') {
  await db('persons')
    .where('id', sara)
    .update({
      last_login_at: login.portal === null ? null : monthsAgo(login.portal),
      legacy_last_login_at: login.legacy === null ? null : monthsAgo(login.legacy),
    });
  await db('permissions')
    .where('person_id', sara)
    .update(
      grants === 'old'
        ? { granted_at: monthsAgo(36), source: 'portal' }
        : { granted_at: db.raw('now()'), source: 'import', granted_by_person_id: null },
    );
}

async function saraInOverview(): Promise<{ inactive: boolean; lastLogin: Date | null }> {
  const result = await service.overview(maria, query);
  if (result.status !== 'ok') throw new Error(result.status);
  const row = result.rows.find((candidate) => candidate.id === sara);
  if (!row) throw new Error('Sara is not in the overview');
  return { inactive: row.inactive, lastLogin: row.last_login_at };
}

/** The users the inactivity check would report (in a transaction rolled back). */
async function reportedByTheJob(): Promise<string[]> {
  const trx = await db.transaction();
  try {
    await runInactivityCheck(trx, { months: 18, reminderDays: 30, baseUrl: 'https://portal.example' }, new Date());
    const rows = await trx('inactivity_notifications').distinct<{ user_person_id: string }[]>('user_person_id');
    return rows.map((row) => row.user_person_id);
  } finally {
    await trx.rollback();
  }
}

async function exportLineOfSara(): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const labels = {
    headers: {
      name: 'n',
      personalIdentityNumber: 'p',
      email: 'e',
      lastLogin: 'l',
      inactive: 'i',
      code: 'c',
      services: 's',
      validThrough: 'v',
    },
    yes: 'ja',
    no: 'nej',
  };
  await service.exportCsv(maria, query, out, labels);
  const line = Buffer.concat(chunks)
    .toString('utf8')
    .split('\r\n')
    .find((text) => text.startsWith('Sara Karlsson'));
  if (!line) throw new Error('Sara is not in the export');
  return line;
}

/** The last login the user's own page shows. */
async function saraOnHerPage(): Promise<Date | null> {
  const result = await service.user(maria, sara);
  if (result.status !== 'ok') throw new Error(result.status);
  return result.person.last_login_at;
}

describe('inactivity in the overview counts the later login, as the daily check does', () => {
  it('treats a user who logged in only in the old records, recently, as active', async () => {
    await setSara({ portal: null, legacy: 2 }, 'old');
    const seen = await saraInOverview();
    expect(seen.inactive).toBe(false);
    expect(seen.lastLogin).not.toBeNull();
    expect(await saraOnHerPage()).toEqual(seen.lastLogin);
    expect(await reportedByTheJob()).not.toContain(sara);
    expect(await exportLineOfSara()).toMatch(/;nej;/);
  });

  it('takes the later of the two logins, whichever it is, in the overview and on the user’s page', async () => {
    const person = () =>
      db('persons')
        .where('id', sara)
        .first<{ last_login_at: Date; legacy_last_login_at: Date }>('last_login_at', 'legacy_last_login_at');
    await setSara({ portal: 20, legacy: 1 }, 'old');
    expect((await saraInOverview()).inactive).toBe(false);
    expect(await saraOnHerPage()).toEqual((await person()).legacy_last_login_at);
    await setSara({ portal: 1, legacy: 30 }, 'old');
    expect((await saraInOverview()).inactive).toBe(false);
    expect(await saraOnHerPage()).toEqual((await person()).last_login_at);
    expect(await reportedByTheJob()).not.toContain(sara);
  });

  it('reports a user whose last login anywhere is older than the cutoff', async () => {
    await setSara({ portal: null, legacy: 24 }, 'old');
    expect((await saraInOverview()).inactive).toBe(true);
    expect(await reportedByTheJob()).toContain(sara);
    expect(await exportLineOfSara()).toMatch(/;ja;/);
    const inactiveOnly = await service.overview(maria, { ...query, inactiveOnly: true });
    expect(inactiveOnly.status === 'ok' && inactiveOnly.rows.map((row) => row.id)).toContain(sara);
  });

  it('counts an imported permission as old however recently it was imported', async () => {
    await setSara({ portal: null, legacy: 24 }, 'new-import');
    expect((await saraInOverview()).inactive).toBe(true);
    expect(await reportedByTheJob()).toContain(sara);
  });
});
