import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientAuthenticator } from '../../src/api/clients';
import { freshDatabase } from '../helpers/database';

const ROOT = path.resolve(import.meta.dirname, '../..');

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

describe('npm run cli -- api-client', async () => {
  const { db, url } = await freshDatabase();
  const authenticate = clientAuthenticator(db, Date.now, { cacheSeconds: 0 });
  let clientId = '';
  let secret = '';

  it('adds a client, printing its id and secret once and storing only the secret’s SHA-256, audited', async () => {
    const run = await cli(url, 'api-client', 'add', 'Rapport direkt');
    expect(run.code).toBe(0);
    clientId = /^Client id: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
    secret = /^Secret: +(\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(clientId).toMatch(/^rapport-direkt-[0-9a-f]{8}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const row = await db('api_clients')
      .where({ client_id: clientId })
      .first<{ id: string; name: string; secret_hash: string; revoked_at: Date | null }>();
    expect(row).toMatchObject({ name: 'Rapport direkt', revoked_at: null });
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(await db('api_clients'))).not.toContain(secret);

    const audit = await db('audit_log').where({ action: 'api_client.created', subject_id: row.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'system', subject_type: 'api_client' });
    expect(JSON.stringify(audit)).not.toContain(secret);

    expect(await authenticate(secret)).toEqual({ id: row.id, clientId, name: 'Rapport direkt' });
  });

  it('refuses a second active client of the same name, changing nothing', async () => {
    const run = await cli(url, 'api-client', 'add', 'Rapport direkt');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('exists already');
    expect(run.stdout).not.toContain('Secret');
    expect(await db('api_clients')).toHaveLength(1);
  });

  it('lists the clients without their secrets', async () => {
    const run = await cli(url, 'api-client', 'list');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${clientId}\\tactive\\t.*\\tRapport direkt$`, 'm'));
    expect(run.stdout).not.toContain(secret);
  });

  it('revokes a client: its secret no longer authenticates, and revoking again changes nothing', async () => {
    const run = await cli(url, 'api-client', 'revoke', clientId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`API client ${clientId} ("Rapport direkt") is revoked`);
    expect(await authenticate(secret)).toBeUndefined();
    expect(await db('audit_log').where({ action: 'api_client.revoked' })).toHaveLength(1);

    const again = await cli(url, 'api-client', 'revoke', clientId);
    expect(again.stdout).toContain('revoked already');
    expect(await db('audit_log').where({ action: 'api_client.revoked' })).toHaveLength(1);
    expect((await cli(url, 'api-client', 'list')).stdout).toMatch(new RegExp(`^${clientId}\\trevoked `, 'm'));
    expect((await cli(url, 'api-client', 'revoke', 'no-such-client')).stdout).toContain('No API client');
  }, 60_000);

  it.each([
    [['api-client', 'add'], 'takes one argument'],
    [['api-client', 'add', ' '], 'the name is empty'],
    [['api-client', 'add', 'Rapport \u202Etkerid'], 'direction marks'],
    [['api-client', 'revoke', 'not a client id!'], 'not a client id'],
    [['api-client', 'list', 'extra'], 'takes no arguments'],
    [['api-client', 'rotate', 'x'], 'unknown command'],
  ])('refuses %j with a clear message and the usage, touching no database', async (args, message) => {
    const run = await cli(undefined, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('api-client add <name>');
    expect(run.stdout).toBe('');
  });
});
