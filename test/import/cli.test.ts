import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseImportCommand } from '../../src/import/cli';
import { freshDatabase } from '../helpers/database';
import { BROKEN, countOf, ROOT, SAMPLE } from './helpers';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run cli -- <args>` as a separate process against the given database. */
function cli(databaseUrl: string | undefined, ...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('parsing the import commands', () => {
  it.each([
    [['import', 'a.csv'], { kind: 'import', filePath: 'a.csv', apply: false, batchSize: undefined }],
    [
      ['import', '--apply', 'a.csv', '--batch-size', '1000'],
      { kind: 'import', filePath: 'a.csv', apply: true, batchSize: 1000 },
    ],
    [['cleanup-inactive', '--before', '2027-03-01'], { kind: 'cleanup', before: '2027-03-01', apply: false }],
    [['cleanup-inactive', '--apply', '--before=2027-03-01'], { kind: 'cleanup', before: '2027-03-01', apply: true }],
  ])('reads %j', (args, command) => {
    expect(parseImportCommand(args)).toEqual(command);
  });

  it.each([
    [['import'], 'import takes one file'],
    [['import', 'a.csv', 'b.csv'], 'import takes one file'],
    [['import', 'a.csv', '--batch-size', '0'], '--batch-size must be a whole number'],
    [['import', 'a.csv', '--force'], "Unknown option '--force'"],
    [['cleanup-inactive'], 'needs --before <YYYY-MM-DD>'],
    [['cleanup-inactive', '--before', '2027-02-30'], 'needs --before <YYYY-MM-DD>, a real date'],
    [['cleanup-inactive', '--before', '2027-03-01', 'extra'], 'takes only --before'],
  ])('refuses %j', (args, message) => {
    expect(() => parseImportCommand(args)).toThrow(message);
  });
});

describe('npm run cli -- import and cleanup-inactive', async () => {
  const { db, url } = await freshDatabase();

  it('a dry run prints the report, exits 0 and imports nothing', async () => {
    const run = await cli(url, 'import', SAMPLE);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('File: import-sample.csv');
    expect(run.stdout).toContain('Rows read: 25; accepted: 25; refused: 0');
    expect(run.stdout).toMatch(/persons\s+14\s+14\s+0/);
    expect(run.stdout).toContain('Dry run: nothing was changed. Run again with --apply to import.');
    expect(await countOf(db, 'persons')).toBe(0);
  });

  it('a broken file: every refused line on stdout, exit 1, nothing stored, even with --apply', async () => {
    const run = await cli(url, 'import', BROKEN, '--apply');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  line 6: duplicate of line 2 (same person, employer code and service)');
    expect(run.stdout).toContain('  line 8: wrong number of fields: 8 (expected 9)');
    expect(run.stdout).toContain('Nothing was imported');
    expect(run.stdout + run.stderr).not.toMatch(/19121201-?9317/);
    expect(await countOf(db, 'persons')).toBe(0);
  });

  it('--apply imports, then the clean-up reports per employer and removes', async () => {
    const run = await cli(url, 'import', SAMPLE, '--apply');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/permissions\s+25\s+0/);
    expect(run.stdout).toContain('No email was sent.');
    expect(await countOf(db, 'permissions', { source: 'import' })).toBe(25);

    const preview = await cli(url, 'cleanup-inactive', '--before', '2026-11-28');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/202100-5125\s+Länsstyrelsen i Exempellän\s+2\s+1\s+2/);
    expect(preview.stdout).toMatch(/Total\s+7\s+3\s+9/);
    expect(await countOf(db, 'permissions', { revoked_at: null })).toBe(25);

    const applied = await cli(url, 'cleanup-inactive', '--before', '2026-11-28', '--apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Removed 9 permissions of 7 persons.');
    expect(await countOf(db, 'permissions', { revoked_at: null })).toBe(16);
    expect(await countOf(db, 'outbox')).toBe(0);
  });

  it('a file that is not there: one line on stderr, exit 1', async () => {
    const run = await cli(url, 'import', 'no-such-file.csv');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: cannot read no-such-file.csv (ENOENT)');
  });

  it('bad arguments: the usage, exit 1, before any database is opened', async () => {
    const run = await cli(undefined, 'cleanup-inactive', '--before', 'tomorrow');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('needs --before <YYYY-MM-DD>');
    expect(run.stderr).toContain('npm run cli -- import <file.csv> [--apply]');
    expect(run.stdout).toBe('');
  });
});
