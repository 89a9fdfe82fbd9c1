import http from 'node:http';
import express from 'express';
import session from 'express-session';
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { loadDemoData } from '../../src/demo/seed';
import { paths } from '../../src/paths';
import { createSessionStore, markSessionStart, setUpSession } from '../../src/web/session';
import { buildTestApp, type TestApp } from '../helpers/app';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { loginWithEid } from '../helpers/eid';
import { PIN } from '../administrators/fixtures';
import { csrfToken } from '../staff/helpers';

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

/** The session id inside a signed `portal.sid=s:<id>.<signature>` cookie, and the cookie as a browser sends it back. */
function sessionOf(response: request.Response): { sid: string; cookie: string } {
  const value = /portal\.sid=([^;]*)/.exec(sessionCookie(response))?.[1] ?? '';
  return { sid: /^s:([^.]+)\./.exec(decodeURIComponent(value))?.[1] ?? '', cookie: `portal.sid=${value}` };
}

describe('sessions of the portal: login, logout, idle time, replay', () => {
  let testApp: TestApp;
  const stored = async (sid: string) => (await testApp.db('sessions').where({ sid }).first('sid')) !== undefined;
  /** Whether a request with this cookie (and nothing else) is treated as logged in, with an employer's context. */
  async function replay(cookie: string) {
    const overview = await request(testApp.app).get(paths.overview).set('Cookie', cookie);
    const administrators = await request(testApp.app).get(paths.administrators.list).set('Cookie', cookie);
    return { overview, administrators };
  }

  beforeAll(async () => {
    testApp = await buildTestApp({ SAML_SP_ENCRYPTION_KEY: 'none', SESSION_IDLE_MINUTES: '20' });
    await loadDemoData(testApp.db);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends the session it had before the login: its id is gone from the store and gives nothing', async () => {
    const agent = request.agent(testApp.app);
    // asking for a page before logging in stores where to return: a session exists before the login
    const before = sessionOf(await agent.get(paths.administrators.list).expect(302));
    expect(await stored(before.sid)).toBe(true);
    const after = sessionOf(await loginWithEid(agent, PIN.orderer));
    expect(after.sid).not.toBe(before.sid);
    expect(await stored(before.sid)).toBe(false);
    const { overview } = await replay(before.cookie);
    expect(overview.headers.location).toBe(paths.login);
  });

  it('ends the session at logout: the row is deleted, the cookie cleared, and the next session has a new id', async () => {
    const agent = request.agent(testApp.app);
    const loggedIn = sessionOf(await loginWithEid(agent, PIN.orderer));
    const logout = await agent
      .post(paths.logout)
      .type('form')
      .send({ _csrf: await csrfToken(agent, paths.overview) })
      .expect(302);
    expect(await stored(loggedIn.sid)).toBe(false);
    const cleared = sessionCookie(logout);
    expect(cleared).toMatch(/^portal\.sid=;/);
    expect(new Date(/Expires=([^;]+)/.exec(cleared)?.[1] ?? '').getTime()).toBeLessThan(Date.now());
    // the next session (asking for a page that needs a login makes one) is a new one
    const next = sessionOf(await agent.get(paths.administrators.list).expect(302));
    expect(next.sid).not.toBe(loggedIn.sid);
    expect((await agent.get(paths.overview)).headers.location).toBe(paths.login);
  });

  it('gives nothing to a logged-out session cookie replayed: not logged in, no employer context, no form taken', async () => {
    const agent = request.agent(testApp.app);
    const loggedIn = sessionOf(await loginWithEid(agent, PIN.orderer));
    const token = await csrfToken(agent, paths.overview);
    await agent.get(paths.administrators.list).expect(200);
    await agent.post(paths.logout).type('form').send({ _csrf: token }).expect(302);

    const { overview, administrators } = await replay(loggedIn.cookie);
    expect(overview.status).toBe(302);
    expect(overview.headers.location).toBe(paths.login);
    expect(administrators.status).toBe(302);
    expect(administrators.headers.location).toBe(paths.login);
    const before = await testApp.db('role_assignments').count<{ count: string }[]>({ count: '*' });
    const appoint = await request(testApp.app)
      .post(paths.administrators.appoint)
      .set('Cookie', loggedIn.cookie)
      .type('form')
      .send({ _csrf: token, personalIdentityNumber: '19121212-1212', name: 'Eva Ek', email: 'eva@example.se' });
    expect(appoint.status).toBe(403);
    expect(await testApp.db('role_assignments').count<{ count: string }[]>({ count: '*' })).toEqual(before);
    expect(await stored(loggedIn.sid)).toBe(false);
  });

  it('ends a session left idle longer than the idle time; a request within it keeps the session alive', async () => {
    const agent = request.agent(testApp.app);
    const { cookie, sid } = sessionOf(await loginWithEid(agent, PIN.orderer));
    const minutes = (count: number) => count * 60_000;
    // both clocks move: the app's (the absolute timeout) and the wall clock the session store checks expiry with
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const wait = (ms: number) => {
      testApp.clock.advance(ms);
      vi.setSystemTime(Date.now() + ms);
    };
    wait(minutes(15));
    expect((await request(testApp.app).get(paths.overview).set('Cookie', cookie)).status).toBe(200);
    wait(minutes(15));
    // 30 minutes after the login, 15 after the last request: still there
    expect((await request(testApp.app).get(paths.overview).set('Cookie', cookie)).status).toBe(200);
    wait(minutes(21));
    const { overview, administrators } = await replay(cookie);
    expect(overview.headers.location).toBe(paths.login);
    expect(administrators.headers.location).toBe(paths.login);
    expect(await stored(sid)).toBe(true); // expired rows stay until the store prunes them, but are never read
  });
});
