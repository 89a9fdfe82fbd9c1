import pg from 'pg';
import request from 'supertest';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createKnex } from '../../src/db/knex';
import { createLogger } from '../../src/logger';
import { freePort } from '../helpers/ports';

describe('while PostgreSQL cannot be reached', async () => {
  // A port nobody listens on: every connection is refused, as while the database restarts.
  const url = `postgres://postgres@127.0.0.1:${await freePort()}/portal`;
  const db = createKnex(url, { min: 0, max: 2 });
  const sessionPool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2_000 });
  sessionPool.on('error', () => undefined);
  afterAll(async () => {
    await db.destroy();
    await sessionPool.end();
  });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: inject('dataDir') });
  const { app } = await createApp({
    config,
    db,
    sessionPool,
    logger: createLogger('silent'),
    now: Date.now,
    wakeMail: () => Promise.resolve(),
  });

  it('answers pages 503 with Retry-After and the Swedish page, not 500', async () => {
    // The login stores its SAML request in the database before it redirects to the e-ID.
    const page = await request(app).get('/logga-in');
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toBe('5');
    expect(page.text).toContain('Tjänsten är tillfälligt otillgänglig');
    expect(page.text).not.toMatch(/ECONNREFUSED|at .*\.ts/);
  });

  it('answers the decision API 503 problem JSON', async () => {
    const response = await request(app)
      .post('/access/v1/evaluation')
      .set('Authorization', `Bearer ${'a'.repeat(43)}`)
      .send({});
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe('5');
    expect((response.body as { status: number }).status).toBe(503);
  });

  it('answers the readiness check 503', async () => {
    await request(app).get('/readyz').expect(503);
  });
});
