import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEW_PERSON = '194004049294';

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

describe('npm run cli -- staff', async () => {
  const { db, url } = await freshDatabase();

  const staffRow = (personId: string) =>
    db('staff').where({ person_id: personId }).first<{ removed_at: Date | null } | undefined>('removed_at');
  const personId = async (number: string) =>
    (await db('persons').where({ personal_identity_number: number }).first<{ id: string } | undefined>('id'))?.id;

  it('adds a new person as staff, audited as the system, printing the number masked', async () => {
    const run = await cli(url, 'staff', 'add', '19400404-9294', 'Per Handläggare', 'per@spv.example');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('Per Handläggare (19400404-****) is now agency staff (new person).');
    expect(run.stdout + run.stderr).not.toContain('9294');

    const person = await db('persons')
      .where({ personal_identity_number: NEW_PERSON })
      .first<{ id: string; display_name: string; email: string }>();
    expect(person).toMatchObject({ display_name: 'Per Handläggare', email: 'per@spv.example' });
    expect(await staffRow(person.id)).toEqual({ removed_at: null });
    const audit = await db('audit_log').where({ action: 'staff.added', subject_id: person.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'system', actor_person_id: null, subject_type: 'person' });
    expect(JSON.stringify(audit[0])).not.toContain(NEW_PERSON);
  });

  it('says so when the person is staff already, and changes nothing', async () => {
    const run = await cli(url, 'staff', 'add', '400404-9294', 'Per Handläggare', 'per@spv.example');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('already agency staff');
    expect(await db('persons').where({ personal_identity_number: NEW_PERSON })).toHaveLength(1);
    expect(await db('staff')).toHaveLength(1);
    expect(await db('audit_log').where({ action: 'staff.added' })).toHaveLength(1);
  });

  it('removes a staff member (the row stays, ended), and adds them again', async () => {
    const id = await personId(NEW_PERSON);
    const removed = await cli(url, 'staff', 'remove', '194004049294');
    expect(removed.code).toBe(0);
    expect(removed.stdout.trim()).toBe('Per Handläggare (19400404-****) is no longer agency staff.');
    expect((await staffRow(String(id)))?.removed_at).toBeInstanceOf(Date);
    expect(await db('audit_log').where({ action: 'staff.removed', subject_id: id })).toHaveLength(1);

    const again = await cli(url, 'staff', 'remove', '194004049294');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is not agency staff');

    const readded = await cli(url, 'staff', 'add', '194004049294', 'Per Handläggare', 'per@spv.example');
    expect(readded.stdout).toContain('is now agency staff');
    expect(await staffRow(String(id))).toEqual({ removed_at: null });
  });

  it('accepts a samordningsnummer', async () => {
    const run = await cli(url, 'staff', 'add', '191212652372', 'Mikko Virtanen', 'mikko@spv.example');
    expect(run.code).toBe(0);
    expect(await personId('191212652372')).toBeDefined();
  });

  it.each([
    [['staff', 'add', '19400404-9295', 'Fel Siffra', 'fel@spv.example'], 'not a valid personal identity number'],
    [['staff', 'add', '19400404-9294', ' ', 'tom@spv.example'], 'the name is empty'],
    [['staff', 'add', '19400404-9294', 'Utan Adress', 'inte-en-adress'], 'not a valid e-mail address'],
    [['staff', 'add', '19400404-9294'], 'three arguments'],
    [['staff', 'remove', 'abc'], 'not a valid personal identity number'],
    [['staff', 'promote', '19400404-9294'], 'unknown command'],
    [[], 'no command given'],
  ])('refuses %j with a clear message and a non-zero exit, touching no database', async (args, message) => {
    const before = await db('audit_log').count<{ c: number }[]>({ c: '*' });
    // no DATABASE_URL: bad input is refused before any database is opened
    const run = await cli(undefined, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage:');
    expect(run.stdout).toBe('');
    expect(await db('audit_log').count<{ c: number }[]>({ c: '*' })).toEqual(before);
  });
});
