import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app';
import { bearer, evaluation, newClientToken } from './helpers';

const NUMBER = '19121212-1212';
const BODY = evaluation(NUMBER, 'rapport-direkt', '40101');

/** A problem answer per RFC 9457, with no trace of a stack or of the body sent. */
function expectProblem(response: request.Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(response.text) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'about:blank', status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(response.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(response.text).not.toContain('121212');
}

describe('the decision API as a protocol', () => {
  let testApp: TestApp;
  let token: string;

  beforeAll(async () => {
    testApp = await buildTestApp({ BASE_URL: 'https://portal.example.se' });
    token = await newClientToken(testApp, 'Fakturaspecifikationer');
  });

  const post = (path: string) => request(testApp.app).post(path);

  describe('discovery', () => {
    it('publishes AuthZEN metadata without a token, cacheable, with absolute endpoints', async () => {
      const response = await request(testApp.app).get('/.well-known/authzen-configuration').expect(200);
      expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.body).toEqual({
        policy_decision_point: 'https://portal.example.se',
        access_evaluation_endpoint: 'https://portal.example.se/access/v1/evaluation',
        access_evaluations_endpoint: 'https://portal.example.se/access/v1/evaluations',
        search_resource_endpoint: 'https://portal.example.se/access/v1/search/resource',
        openapi_document: 'https://portal.example.se/access/v1/openapi.json',
      });
    });

    it('serves an OpenAPI 3.1 document that validates against the OpenAPI 3.1 schema', async () => {
      const response = await request(testApp.app).get('/access/v1/openapi.json').expect(200);
      const document = response.body as Record<string, unknown>;
      expect(document.openapi).toBe('3.1.0');
      const validator = new Validator();
      const result = await validator.validate(document);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
      expect(Object.keys(document.paths as object)).toEqual(
        expect.arrayContaining([
          '/access/v1/evaluation',
          '/access/v1/evaluations',
          '/access/v1/search/resource',
          '/.well-known/authzen-configuration',
        ]),
      );
    });

    it('answers other methods with 405 and Allow', async () => {
      const response = await post('/.well-known/authzen-configuration').send({});
      expectProblem(response, 405);
      expect(response.headers.allow).toBe('GET, HEAD');
      const get = await request(testApp.app).get('/access/v1/evaluation').set(bearer(token));
      expectProblem(get, 405);
      expect(get.headers.allow).toBe('POST');
    });

    it('answers an unknown path under /access with a 404 problem, not an HTML page', async () => {
      expectProblem(await post('/access/v1/nothing-here').set(bearer(token)).send(BODY), 404);
      expectProblem(await request(testApp.app).get('/access'), 404);
    });
  });

  describe('authentication', () => {
    it('refuses a request without a token with 401 and a Bearer challenge', async () => {
      const response = await post('/access/v1/evaluation').send(BODY);
      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="access"');
    });

    it('refuses an unknown token, another scheme and a malformed header', async () => {
      for (const header of [
        'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        'Bearer not-a-token',
        `Basic ${token}`,
        'Bearer',
      ]) {
        const response = await post('/access/v1/evaluation').set('Authorization', header).send(BODY);
        expectProblem(response, 401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="access", error="invalid_token"$/);
      }
    });

    it('refuses a revoked client once its cached authentication has expired', async () => {
      const revokedToken = await newClientToken(testApp, 'Visa anställning');
      await post('/access/v1/evaluation').set(bearer(revokedToken)).send(BODY).expect(200);
      const clientId = (await testApp.services.apiClients.list()).find(
        (client) => client.name === 'Visa anställning',
      )?.clientId;
      const revoked = await testApp.services.apiClients.revoke(String(clientId), {
        type: 'system',
        requestId: undefined,
      });
      expect(revoked.outcome).toBe('revoked');
      testApp.clock.advance(31_000);
      expectProblem(await post('/access/v1/evaluation').set(bearer(revokedToken)).send(BODY), 401);
      await post('/access/v1/evaluation').set(bearer(token)).send(BODY).expect(200);
    });

    it('answers a valid token with no session: no cookie is set, and nothing may cache the decision', async () => {
      const response = await post('/access/v1/evaluation').set(bearer(token)).send(BODY).expect(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('request validation', () => {
    it('refuses a body that is not JSON with 400, and an empty body with 400', async () => {
      expectProblem(
        await post('/access/v1/evaluation').set(bearer(token)).type('application/json').send('{"subject":'),
        400,
      );
      expectProblem(await post('/access/v1/evaluation').set(bearer(token)).type('application/json').send('[]'), 400);
      expectProblem(await post('/access/v1/evaluation').set(bearer(token)), 400);
    });

    it('refuses another media type with 415', async () => {
      expectProblem(await post('/access/v1/evaluation').set(bearer(token)).type('text/plain').send('{}'), 415);
      expectProblem(
        await post('/access/v1/evaluation').set(bearer(token)).type('application/x-www-form-urlencoded').send('a=b'),
        415,
      );
    });

    it('refuses a body over 64 kB with 413', async () => {
      const big = { ...BODY, context: { padding: 'x'.repeat(70_000) } };
      expectProblem(await post('/access/v1/evaluation').set(bearer(token)).send(big), 413);
    });

    it.each([
      ['no subject', { action: BODY.action, resource: BODY.resource }, '/subject'],
      ['a subject without id', { ...BODY, subject: { type: 'person' } }, '/subject/id'],
      ['a numeric subject id', { ...BODY, subject: { type: 'person', id: 191212121212 } }, '/subject/id'],
      ['an action without name', { ...BODY, action: {} }, '/action/name'],
      [
        'a resource without employer code',
        { ...BODY, resource: { type: 'service', id: 'rapport-direkt' } },
        '/resource/properties',
      ],
      [
        'an empty employer code',
        { ...BODY, resource: { ...BODY.resource, properties: { employer_code: '' } } },
        '/resource/properties/employer_code',
      ],
    ])('refuses %s with 400 naming the field', async (_what, body, pointer) => {
      const response = await post('/access/v1/evaluation').set(bearer(token)).send(body);
      expectProblem(response, 400);
      expect((response.body as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(pointer);
    });

    it('validates the batch and the search against their own schemas', async () => {
      const semantic = await post('/access/v1/evaluations')
        .set(bearer(token))
        .send({ ...BODY, evaluations: [{}], options: { evaluations_semantic: 'all_at_once' } });
      expectProblem(semantic, 400);
      expect((semantic.body as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(
        '/options/evaluations_semantic',
      );
      const tooMany = await post('/access/v1/evaluations')
        .set(bearer(token))
        .send({ ...BODY, evaluations: Array.from({ length: 1001 }, () => ({})) });
      expectProblem(tooMany, 400);
      const search = await post('/access/v1/search/resource')
        .set(bearer(token))
        .send({ subject: BODY.subject, action: BODY.action, resource: {} });
      expectProblem(search, 400);
      expect((search.body as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe('/resource/type');
    });
  });
});

describe('the decision API under load', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await buildTestApp({ API_RATE_LIMIT_PER_MINUTE: '3' });
  });

  it('limits each client to its requests a minute, with 429, Retry-After and RateLimit headers', async () => {
    const first = await newClientToken(testApp, 'Rapporter');
    const second = await newClientToken(testApp, 'Filöverföring');
    for (let i = 0; i < 3; i++) {
      const response = await request(testApp.app).post('/access/v1/evaluation').set(bearer(first)).send(BODY);
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-policy']).toMatch(/q=3/);
    }
    const limited = await request(testApp.app).post('/access/v1/evaluation').set(bearer(first)).send(BODY);
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.ratelimit).toMatch(/r=0/);
    // another client has its own quota
    await request(testApp.app).post('/access/v1/evaluation').set(bearer(second)).send(BODY).expect(200);
  });

  it('answers a failure in the portal with a 500 problem, no stack trace, and logs it', async () => {
    const token = await newClientToken(testApp, 'Hantera behörigheter');
    await testApp.db.raw('alter table permissions rename to permissions_moved');
    try {
      const response = await request(testApp.app)
        .post('/access/v1/search/resource')
        .set(bearer(token))
        .send({ subject: { type: 'person', id: NUMBER }, action: { name: 'use' }, resource: { type: 'service' } });
      expectProblem(response, 500);
      expect(response.text).not.toContain('permissions');
      expect(testApp.logs.join('')).toContain('API request failed');
    } finally {
      await testApp.db.raw('alter table permissions_moved rename to permissions');
    }
  });
});
