import * as cheerio from 'cheerio';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiPaths } from '../../src/api/paths';
import { CSRF_EXEMPT, setUpCsrf } from '../../src/web/csrf';
import { buildTestApp, type TestApp } from '../helpers/app';
import { listRoutes } from '../helpers/routes';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await buildTestApp();
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe('security headers', () => {
  it.each(['/', '/finns-inte'])('sends a strict CSP without unsafe-inline on %s', async (path) => {
    const response = await request(testApp.app).get(path);
    const csp = directives(String(response.headers['content-security-policy']));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(String(response.headers['content-security-policy'])).not.toContain('unsafe-');
  });

  it('sends the other protective headers and no X-Powered-By', async () => {
    const response = await request(testApp.app).get('/');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets no session cookie on a page without a form', async () => {
    const response = await request(testApp.app).get('/');
    const cookies = [response.headers['set-cookie'] ?? []].flat();
    expect(cookies.some((cookie) => cookie.startsWith('portal.sid'))).toBe(false);
  });
});

describe('CSRF', () => {
  it('refuses with 403 a POST without a token to every state-changing route and to unknown paths', async () => {
    // The exemptions: posts of signed SAML messages (the IdP's response; the development e-ID's sign requests), and
    // the decision API, which sets no cookie and takes a bearer token (test/api covers its 401s).
    const isDecisionApi = (path: string) =>
      path === apiPaths.metadata || path === apiPaths.root || path.startsWith(`${apiPaths.root}/`);
    const routes = listRoutes(testApp.app).filter(
      (route) => route.method !== 'get' && !CSRF_EXEMPT.includes(route.path) && !isDecisionApi(route.path),
    );
    expect(routes.length).toBeGreaterThan(0);
    const targets = [
      ...routes.map((route) => route.path.replace(/:(\w+)/g, '00000000-0000-0000-0000-000000000000')),
      '/',
      '/finns-inte',
    ];
    for (const path of targets) {
      const response = await request(testApp.app).post(path).type('form').send({ anything: 'x' });
      expect(response.status, path).toBe(403);
      expect(cheerio.load(response.text)('h1').text()).toBe('Sidan har gått ut');
    }
  });

  it('exempts only the two SAML endpoints, which refuse anything but a signed SAML message', async () => {
    expect(CSRF_EXEMPT).toEqual(['/saml/acs', '/dev-eid/sso']);
    await request(testApp.app).post('/saml/acs').type('form').send({ anything: 'x' }).expect(400);
    await request(testApp.app).post('/dev-eid/sso').type('form').send({ anything: 'x' }).expect(400);
  });

  it('accepts the token from the session it was issued in, and refuses a wrong one', async () => {
    const app = express();
    app.use(session({ secret: 'test-secret-test-secret-test-secret', resave: false, saveUninitialized: false }));
    app.use(express.urlencoded({ extended: false }));
    setUpCsrf(app, Date.now);
    app.get('/form', (_req, res) => {
      res.send(res.locals.csrfToken());
    });
    app.post('/form', (_req, res) => {
      res.send('saved');
    });
    const refuse: express.ErrorRequestHandler = (error, _req, res, next) => {
      if (res.headersSent) {
        next(error);
        return;
      }
      res.status((error as { status?: number }).status ?? 500).send('refused');
    };
    app.use(refuse);

    const agent = request.agent(app);
    const token = (await agent.get('/form').expect(200)).text;
    await agent.post('/form').type('form').send({ _csrf: 'wrong' }).expect(403);
    await agent.post('/form').type('form').send({}).expect(403);
    await request(app).post('/form').type('form').send({ _csrf: token }).expect(403);
    await agent.post('/form').type('form').send({ _csrf: token }).expect(200, 'saved');
  });
});
