/**
 * How long the import from the old records takes at national scale: `npm run bench:import` (uses DATABASE_URL's
 * server, or the embedded one). Writes a CSV of 1,000,000 rows (BENCH_ROWS) to a temporary folder: 300,000 persons,
 * 5,000 employers with three codes each, one to four services per person, one person in ten on a second code; then,
 * in a new database, runs the dry run, the apply, the apply again (nothing to do) and the pre-launch clean-up, and
 * prints the figures. The database and the file are removed afterwards.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { luhnCheckDigit } from '../../src/domain/identity-numbers';
import { cleanupInactive } from '../../src/import/cleanup';
import { COLUMNS } from '../../src/import/rows';
import { importService, type ImportResult } from '../../src/import/service';
import { printTimed, runScript, withScratchDatabase } from './scratch';

const timed = <T>(label: string, work: () => Promise<T>): Promise<T> => printTimed(label, work);

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PERSONS = Math.round(ROWS * 0.3);
const EMPLOYERS = Math.max(1, Math.round(ROWS / 200));
const CODES = EMPLOYERS * 3;
const SERVICES = ['rapport-direkt', 'visa-anstallning', 'fakturaspecifikationer', 'filoverforing', 'rapporter'];
const DAY = 86_400_000;

function personalIdentityNumber(index: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (index % 18_000) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const serial = String(100 + Math.floor(index / 18_000));
  return `${birth}${serial}${luhnCheckDigit(`${birth.slice(2)}${serial}`)}`;
}

function organisationNumber(employer: number): string {
  const nine = `55${String(employer).padStart(7, '0')}`;
  return `${nine}${luhnCheckDigit(nine)}`;
}

/** Rows per person: the first PERSONS × 1/3 get 4, the rest 3, which gives ROWS for ROWS = 10/3 × PERSONS. */
async function writeFile(filePath: string): Promise<number> {
  const out = createWriteStream(filePath);
  out.write(`${COLUMNS.join(';')}\n`);
  let rows = 0;
  let chunk: string[] = [];
  const now = Date.now();
  for (let person = 0; person < PERSONS && rows < ROWS; person++) {
    const pin = personalIdentityNumber(person);
    const lastLogin = person % 11 === 0 ? '' : new Date(now - (person % 900) * DAY).toISOString().slice(0, 10); // ~ 1 in 3 inactive
    const email = person % 7 === 0 ? '' : `person${person}@example.se`;
    const count = person < PERSONS / 3 ? 4 : 3;
    for (let k = 0; k < count && rows < ROWS; k++) {
      // one person in ten has their last row on the next code (a payroll centre working for two employers)
      const code = (person + (k === count - 1 && person % 10 === 0 ? 1 : 0)) % CODES;
      const employer = Math.floor(code / 3);
      chunk.push(
        [
          organisationNumber(employer),
          `Arbetsgivare ${employer}`,
          String(100_000 + code),
          code % 3 === 2 && employer % 4 === 0 ? 'nej' : 'ja',
          pin,
          `Person ${person}`,
          email,
          SERVICES[k % SERVICES.length],
          lastLogin,
        ].join(';'),
      );
      rows += 1;
    }
    if (chunk.length >= 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
  await once(out, 'finish');
  return rows;
}

function summary(result: ImportResult): string {
  if (result.outcome === 'imported') return `created ${JSON.stringify(result.created)}`;
  if (result.outcome === 'checked') return `would create ${JSON.stringify(result.plan)}`;
  return `refused ${result.refusedRows} rows, first: ${JSON.stringify(result.refusals.slice(0, 3))}`;
}

async function main(): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'portal-import-bench-'));
  const filePath = path.join(folder, 'old-records.csv');
  try {
    await withScratchDatabase(
      'portal_bench_import',
      async (db) => {
        const rows = await timed('write the CSV', () => writeFile(filePath));
        const { size } = await stat(filePath);
        console.log(
          `${rows.toLocaleString('en-GB')} rows, ${PERSONS.toLocaleString('en-GB')} persons, ${EMPLOYERS} employers, ${CODES} codes, ${(size / 1e6).toFixed(0)} MB`,
        );
        const service = importService(db, Date.now);
        const dryRun = await timed('dry run', () => service.importFile({ filePath }));
        console.log(`  ${summary(dryRun)}`);
        const applied = await timed('apply (batches of 50,000 rows)', () =>
          service.importFile({ filePath, apply: true }),
        );
        console.log(`  ${summary(applied)}`);
        const again = await timed('apply again (nothing to do)', () => service.importFile({ filePath, apply: true }));
        console.log(`  ${summary(again)}`);
        const before = new Date().toISOString().slice(0, 10);
        const preview = await timed('clean-up, dry run', () => cleanupInactive(db, { before, months: 18 }, new Date()));
        const cleaned = await timed('clean-up, apply', () =>
          cleanupInactive(db, { before, months: 18, apply: true }, new Date()),
        );
        console.log(`  clean-up: ${JSON.stringify(preview.total)}; applied ${JSON.stringify(cleaned.total)}`);
      },
      { min: 1, max: 3 },
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

runScript(main);
