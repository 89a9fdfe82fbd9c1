import type { Knex } from 'knex';
import pg from 'pg';
import * as repository from '../../src/permissions/repository';
import { searchOf } from '../../src/permissions/service';

export interface Plan {
  name: string;
  lines: string[];
  /** A sequential scan over permissions anywhere in the plan (the overview must not have one). */
  seqScanOnPermissions: boolean;
  executionMs: number;
}

/** The statements `work` sends through knex, as PostgreSQL receives them ($n placeholders and their values). */
async function statementsOf(
  db: Knex,
  work: (db: Knex) => Promise<unknown>,
): Promise<{ sql: string; bindings: unknown[] }[]> {
  const captured: { sql: string; bindings: unknown[] }[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    captured.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  db.on('query', listener);
  try {
    await work(db);
  } finally {
    db.off('query', listener);
  }
  return captured;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the administrators' overview of the largest employer as the portal sends it: the
 * page of 50 and the count, without and with a search term, and the CSV export's statement.
 */
export async function explainOverview(
  db: Knex,
  url: string,
  who: { personId: string; employerId: string; searchTerm: string },
): Promise<Plan[]> {
  const at = new Date();
  const cutoff = new Date(at);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - 18);
  const codes = await repository.administeredCodes(db, who.personId, who.employerId, at);
  const filter = (term: string): repository.OverviewFilter => ({
    codeIds: codes.map((code) => code.id),
    codeId: undefined,
    serviceKey: undefined,
    search: searchOf(term, at),
    inactiveOnly: false,
    at,
    cutoff,
  });
  const cases: { name: string; work: (db: Knex) => Promise<unknown> }[] = [
    { name: 'overview page (50 users, no search)', work: (k) => repository.overviewPage(k, filter(''), 50, 0) },
    { name: 'overview count (no search)', work: (k) => repository.overviewCount(k, filter('')) },
    {
      name: `overview page (search "${who.searchTerm}")`,
      work: (k) => repository.overviewPage(k, filter(who.searchTerm), 50, 0),
    },
    {
      name: `overview count (search "${who.searchTerm}")`,
      work: (k) => repository.overviewCount(k, filter(who.searchTerm)),
    },
    {
      name: 'CSV export statement',
      work: async (k) => {
        await repository.exportQuery(k, filter(''));
      },
    },
  ];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plans: Plan[] = [];
    for (const { name, work } of cases) {
      const [statement] = await statementsOf(db, work);
      if (!statement) continue;
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers) ${statement.sql}`,
        statement.bindings,
      );
      const lines = rows.map((row) => row['QUERY PLAN']);
      const execution = lines.find((line) => line.startsWith('Execution Time'));
      plans.push({
        name,
        lines,
        seqScanOnPermissions: lines.some((line) => line.includes('Seq Scan on permissions')),
        executionMs: Number(/([\d.]+) ms/.exec(execution ?? '')?.[1] ?? NaN),
      });
    }
    return plans;
  } finally {
    await client.end();
  }
}
