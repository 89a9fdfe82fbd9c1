/**
 * `npm run bench:data -- --scale small|large`: (re)creates the benchmark database (BENCH_DATABASE_URL, or
 * `portal_bench_<scale>` on the machine's PostgreSQL at 127.0.0.1:5432), migrates it and fills it.
 */
import { benchDatabaseUrl, databaseName, recreateDatabase } from './database';
import { generate } from './generator';
import { scaleFromArgs } from './scale';

export async function generateFresh(scale: ReturnType<typeof scaleFromArgs>): Promise<void> {
  const url = benchDatabaseUrl(scale);
  console.log(`bench data: scale ${scale.name}, database ${databaseName(url)}`);
  await recreateDatabase(url);
  const data = await generate(url, scale, { progress: process.stderr.isTTY });
  const counts = Object.entries(data.rows)
    .map(([table, count]) => `${table} ${count.toLocaleString('en')}`)
    .join(', ');
  console.log(`bench data: ${counts}`);
  for (const [label, seconds] of Object.entries(data.steps)) console.log(`  ${label}: ${seconds.toFixed(1)} s`);
  console.log(`bench data: generated in ${data.seconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  generateFresh(scaleFromArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
