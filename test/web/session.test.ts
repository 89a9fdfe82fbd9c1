import http from 'node:http';
import express from 'express';
import session from 'express-session';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createSessionStore, markSessionStart, setUpSession } from '../../src/web/session';
import { freshDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let pool: pg.Pool;
const clock = { now: Date.now() };

beforeAll(async () => {
  database = await freshDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});
afterAll(() => pool.end());

/** A tiny app around the real session set-up: /visit stores a counter in the session. */
function appWith(env: NodeJS.ProcessEnv, store?: session.Store): express.Express {
  const app = express();
  setUpSession(app, loadConfig({ NODE_ENV: 'test', ...env }), store ?? createSessionStore(pool), () => clock.now);
  app.get('/remember-and-go', (req, res) => {
    markSessionStart(req, clock.now);
    (req.session as typeof req.session & { note?: string }).note = 'kept';
    res.redirect('/visit');
  });
  app.get('/visit', (req, res) => {
    markSessionStart(req, clock.now);
    const session = req.session as typeof req.session & { visits?: number };
    session.visits = (session.visits ?? 0) + 1;
    res.json({ visits: session.visits });
  });
  return app;
}

function sessionCookie(response: request.Response): string {
  const cookies = [response.headers['set-cookie'] ?? []].flat();
  const cookie = cookies.find((value) => value.includes('sid='));
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

describe('sessions', () => {
  it('keeps the session in PostgreSQL, behind an httpOnly SameSite=Lax cookie with the idle timeout', async () => {
    const agent = request.agent(appWith({ SESSION_IDLE_MINUTES: '15' }));
    const first = await agent.get('/visit').expect(200, { visits: 1 });
    const cookie = sessionCookie(first);
    expect(cookie).toMatch(/^portal\.sid=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    const expires = new Date(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '').getTime();
    expect(expires - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    await agent.get('/visit').expect(200, { visits: 2 });
    const rows = await database.db('sessions').select('sess');
    expect(rows.some((row: { sess: { visits?: number } }) => row.sess.visits === 2)).toBe(true);
  });

  it('uses a Secure __Host- cookie in production', async () => {
    const app = appWith({
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      SESSION_SECRET: 'a-real-secret-of-at-least-thirty-two-characters',
      SAML_IDP_METADATA: '/etc/idp.xml',
      SAML_SP_SIGNING_KEY: '/etc/sp.key',
      SAML_SP_SIGNING_CERT: '/etc/sp.crt',
      SMTP_URL: 'smtp://localhost:25',
      BASE_URL: 'https://portal.example.se',
      TRUST_PROXY: 'true',
    });
    app.set('trust proxy', 1);
    const response = await request(app).get('/visit').set('X-Forwarded-Proto', 'https').expect(200);
    const cookie = sessionCookie(response);
    expect(cookie).toMatch(/^__Host-portal\.sid=/);
    expect(cookie).toContain('Secure');
  });

  it("has stored a changed session when the redirect's headers arrive (a browser follows them at once)", async () => {
    // A store that takes its time to write, as a busy database does.
    const store = createSessionStore(pool);
    const set = store.set.bind(store);
    store.set = (sid, data, callback) => {
      setTimeout(() => {
        set(sid, data, callback);
      }, 150);
    };
    const server = appWith({}, store).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      // Read the store the moment the headers are in, before the body: that is when a browser asks for the next page.
      const note = await new Promise<string | undefined>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/remember-and-go`, (response) => {
            const cookie = [response.headers['set-cookie'] ?? []].flat().join(';');
            const value = decodeURIComponent(/portal\.sid=([^;]+)/.exec(cookie)?.[1] ?? '');
            const sid = /^s:([^.]+)\./.exec(value)?.[1] ?? '';
            database
              .db('sessions')
              .where({ sid })
              .first<{ sess: { note?: string } } | undefined>('sess')
              .then((row) => {
                resolve(row?.sess.note);
              }, reject);
            response.resume();
          })
          .on('error', reject);
      });
      expect(note).toBe('kept');
    } finally {
      server.close();
    }
  });

  it('ends the session after the absolute timeout, however active the person is', async () => {
    const agent = request.agent(appWith({ SESSION_ABSOLUTE_HOURS: '8', SESSION_IDLE_MINUTES: '600' }));
    await agent.get('/visit').expect(200, { visits: 1 });
    clock.now += 7 * 3_600_000;
    await agent.get('/visit').expect(200, { visits: 2 });
    clock.now += 1.5 * 3_600_000;
    await agent.get('/visit').expect(200, { visits: 1 });
  });
});
