import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { apiClientsService } from '../../src/api/clients';
import { freshDatabase } from '../helpers/database';
import { startMainProcess, waitFor } from '../helpers/main-process';
import { freePort } from '../helpers/ports';

describe('stopping the portal with SIGTERM', async () => {
  const { url, db } = await freshDatabase();

  it('lets a request in flight finish, then stops the workers and exits 0 within 10 s', async () => {
    const created = await apiClientsService(db, Date.now).create('Shutdown test', {
      type: 'system',
      requestId: undefined,
    });
    if (created.outcome !== 'created') throw new Error('no API client');
    const port = await freePort();
    const portal = startMainProcess({ NODE_ENV: 'test', DATABASE_URL: url, PORT: String(port), JOBS: 'true' });
    // The test holds a lock on the API clients so the request's first query waits: a slow request, in flight.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await waitFor(() => portal.output().includes('mail goes'), 'the portal and its job queue to start');
      await locker.query('begin');
      await locker.query('lock table api_clients in access exclusive mode');
      const answer = fetch(`http://127.0.0.1:${port}/access/v1/evaluation`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${created.secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          subject: { type: 'person', id: '191212121212' },
          action: { name: 'use' },
          resource: { type: 'service', id: 'rapport-direkt', properties: { employer_code: '40102' } },
        }),
      });
      await waitFor(async () => {
        const waiting = await db('pg_locks').where({ granted: false }).count<{ count: number }[]>({ count: '*' });
        return Number(waiting[0]?.count) > 0;
      }, 'the request to wait for the lock');

      const signalledAt = Date.now();
      portal.child.kill('SIGTERM');
      await waitFor(() => portal.output().includes('shutting down'), 'the portal to start shutting down');
      // While the request waits, the portal no longer takes new connections, and has not exited.
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(portal.child.exitCode).toBeNull();

      await locker.query('commit');
      const response = await answer;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ decision: false });

      expect(await portal.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(portal.output()).toContain('"msg":"stopped"');
      expect(portal.output()).not.toContain('job queue did not stop cleanly');
    } finally {
      portal.child.kill('SIGKILL');
      await locker.end().catch(() => undefined);
    }
  }, 60_000);
});
