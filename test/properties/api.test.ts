import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/demo/seed';
import { paths } from '../../src/paths';
import { bearer, evaluation as evaluationOf, newClientToken } from '../api/helpers';
import { buildTestApp } from '../helpers/app';
import { PIN } from '../permissions/helpers';
import { hostileString, malformedNumber, validPersonalIdentityNumber } from './arbitraries';

/**
 * The decision API is JSON, not a form (the form properties list it as not covered): hostile JSON from a registered
 * client gets a decision or a problem answer, never a server error, and never echoes markup as HTML.
 */
const testApp = await buildTestApp();
await loadDemoData(testApp.db);
const token = await newClientToken(testApp, 'Egenskapstester');

const RUNS = { numRuns: 30 } as const;

const text = fc.oneof(
  hostileString,
  malformedNumber,
  validPersonalIdentityNumber,
  fc.constant(PIN['user-reporting'] ?? ''),
);
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
);

/** A well-formed evaluation with, mostly, one part replaced by something hostile. */
const evaluation: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(PIN['user-reporting'] ?? '', PIN['user-payroll'] ?? '', PIN.orderer ?? ''),
    fc.constantFrom('rapport-direkt', 'rapporter', 'filoverforing'),
    fc.constantFrom('40101', '40102', '40199'),
    fc.integer({ min: 0, max: 6 }),
    text,
    jsonish,
  )
  .map(([number, service, code, which, hostile, junk]) => {
    const body = evaluationOf(number, service, code);
    if (which === 1) body.subject.id = hostile;
    if (which === 2) body.resource.id = hostile;
    if (which === 3) body.resource.properties.employer_code = hostile;
    if (which === 4) body.action.name = hostile;
    if (which === 5) return { ...body, subject: junk };
    if (which === 6) return { ...body, context: junk };
    return body;
  });

/** Found by these properties: a NUL in a string reached PostgreSQL, which refuses it (a 500). Always tried. */
const NUL_IN_EACH_PART: unknown[] = [
  evaluationOf('19121212\u00001212', 'rapport-direkt', '40101'),
  evaluationOf(PIN['user-reporting'] ?? '', 'rapport\u0000direkt', '40101'),
  evaluationOf(PIN['user-reporting'] ?? '', 'rapport-direkt', '40101\u0000'),
];

const bodies: Record<string, fc.Arbitrary<unknown>> = {
  [paths.api.evaluation]: fc.oneof(evaluation, jsonish),
  [paths.api.evaluations]: fc.oneof(
    fc.record({ evaluations: fc.array(evaluation, { minLength: 1, maxLength: 3 }) }),
    evaluation,
    jsonish,
  ),
  [paths.api.searchResource]: fc.oneof(
    evaluation.map((body) => {
      const { subject, action, resource } = body as Record<string, unknown>;
      const id = (resource as { id?: unknown } | undefined)?.id;
      return { subject, action, resource: typeof id === 'string' ? { type: 'service', id } : { type: 'service' } };
    }),
    jsonish,
  ),
};

describe('the decision API (properties)', () => {
  it.each(Object.keys(bodies))('%s: hostile JSON gets a decision or a problem, never a 500', async (path) => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(bodies[path] ?? jsonish, async (body) => {
        const response = await request(testApp.app)
          .post(path)
          .set(bearer(token))
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        statuses.add(response.status);
        expect(response.status, response.text.slice(0, 500)).toBeLessThan(500);
        expect(String(response.headers['content-type'])).toMatch(/^application\/(problem\+)?json/);
        if (response.status >= 400) expect(response.body).toHaveProperty('status', response.status);
      }),
      { ...RUNS, examples: NUL_IN_EACH_PART.map((body) => [body]) },
    );
    // some bodies were well formed enough to be decided: the properties reached the decisions, not only the parser
    expect([...statuses]).toContain(200);
  });

  it('answers a body that is not JSON at all with a problem, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (raw) => {
        const response = await request(testApp.app)
          .post(paths.api.evaluation)
          .set(bearer(token))
          .set('Content-Type', 'application/json')
          .send(raw);
        expect(response.status).toBeLessThan(500);
        expect(String(response.headers['content-type'])).toMatch(/^application\/(problem\+)?json/);
      }),
      RUNS,
    );
  });
});
