import { describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import { generate } from './generator';
import { runBench } from './harness';
import { SCALES } from './scale';

const { url } = await freshDatabase();

describe('the benchmark at small scale', () => {
  it('generates the data and runs every scenario, the export and the inactivity job without an error', async () => {
    const scale = SCALES.small;
    const data = await generate(url, scale, { progress: false });
    expect(data.rows.permissions).toBe(scale.persons * scale.permissionsPerPerson);

    const report = await runBench({
      scale,
      databaseUrl: url,
      dataDir: inject('dataDir'),
      requests: { api: 200, batch: 40, pages: 20 },
      warmUp: false,
      connections: { api: 10, pages: 2 },
      searchTerm: 'berg',
      nodeOptions: '',
      log: () => undefined,
    });

    expect(report.scenarios.map((scenario) => [scenario.name, scenario.errors])).toEqual(
      report.scenarios.map((scenario) => [scenario.name, 0]),
    );
    expect(report.scenarios).toHaveLength(8);
    expect(report.scenarios.every((scenario) => scenario.requests > 0)).toBe(true);
    expect(report.csv.status).toBe(200);
    // a header, then one line per user and code of the largest employer
    expect(report.csv.lines).toBe(1 + scale.largestEmployerUsers * scale.codesPerEmployer);
    expect(report.inactivity.notices).toBeGreaterThan(0);
    expect(report.plans).toHaveLength(5);
  }, 60_000);
});
