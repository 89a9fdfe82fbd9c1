/**
 * `npm run bench -- --scale small|large`: generates the data when the bench database does not hold this scale yet,
 * runs the harness, prints the table and writes the figures into BENCHMARKS.md (this scale's section).
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { generateFresh } from './data-cli';
import { benchDatabaseUrl, databaseName, readGenerated } from './database';
import { runBench } from './harness';
import { machine, section, summary, writeSection } from './report';
import { scaleFromArgs } from './scale';
import { REPO_ROOT } from './server';

/** How the portal should run in production too (see BENCHMARKS.md, server memory). */
const SERVER_NODE_OPTIONS = '--max-old-space-size=128';

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>('select version()');
    return (rows[0]?.version ?? '').split(' on ')[0] ?? '';
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const scale = scaleFromArgs(process.argv.slice(2));
  const url = benchDatabaseUrl(scale);
  let generated = await readGenerated(url).catch(() => undefined);
  if (generated?.scale !== scale.name) {
    await generateFresh(scale);
    generated = await readGenerated(url);
  }
  const loadBefore = os.loadavg();
  const large = scale.name === 'large';
  const report = await runBench({
    scale,
    databaseUrl: url,
    dataDir: process.env.DATA_DIR ?? path.join(REPO_ROOT, '.data'),
    requests: large ? { api: 20_000, batch: 5_000, pages: 1_000 } : { api: 5_000, batch: 1_000, pages: 300 },
    warmUp: true,
    connections: { api: 50, pages: 2 },
    nodeOptions: SERVER_NODE_OPTIONS,
    searchTerm: 'berg',
    log: (line) => {
      console.log(line);
    },
  });
  const host = machine(await postgresVersion(url), loadBefore);
  console.log(`\n${summary(report, generated)}`);
  await writeSection(scale.name, section(report, host, generated, databaseName(url)));
  console.log('\nwritten to BENCHMARKS.md');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
