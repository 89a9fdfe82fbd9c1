import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app';

const TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

/** The value of one sample line, e.g. `portal_outbox_emails{status="pending"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the /metrics endpoint', () => {
  let open: TestApp;
  let guarded: TestApp;

  beforeAll(async () => {
    open = await buildTestApp();
    guarded = await buildTestApp({ METRICS_TOKEN: TOKEN });
  });

  it('counts requests by route pattern, never by the raw URL', async () => {
    const personId = '3f2b8c1e-0000-4000-8000-000000000001';
    await request(open.app).get('/healthz').expect(200);
    await request(open.app).get(`/anvandare/${personId}`);
    await request(open.app).get('/no/such/page/12345').expect(404);
    const response = await request(open.app).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(response.text, 'portal_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(response.text).toContain('route="(unmatched)"');
    expect(response.text).toMatch(
      /portal_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"\}/,
    );
    expect(response.text).not.toContain(personId);
    expect(response.text).not.toContain('12345');
  });

  it('reports the outbox backlog and failed emails from the database', async () => {
    const before = await request(open.app).get('/metrics').expect(200);
    expect(sample(before.text, 'portal_outbox_emails{status="pending"}')).toBe(0);
    const email = (to: string) => ({ recipient_email: to, template: 'inactivity-notice', data: '{}' });
    await open.db('outbox').insert([email('a@example.se'), email('b@example.se')]);
    await open.db('outbox').insert({ ...email('c@example.se'), status: 'failed', attempts: 10 });
    const after = await request(open.app).get('/metrics').expect(200);
    expect(sample(after.text, 'portal_outbox_emails{status="pending"}')).toBe(2);
    expect(sample(after.text, 'portal_outbox_emails{status="failed"}')).toBe(1);
    expect(sample(after.text, 'portal_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('answers a request through a proxy only with the token, and 404 otherwise', async () => {
    await request(open.app).get('/metrics').set('X-Forwarded-For', '203.0.113.7').expect(404);
    await request(guarded.app).get('/metrics').expect(404);
    await request(guarded.app).get('/metrics').set('Authorization', 'Bearer wrong-token').expect(404);
    const allowed = await request(guarded.app)
      .get('/metrics')
      .set('Authorization', `Bearer ${TOKEN}`)
      .set('X-Forwarded-For', '203.0.113.7')
      .expect(200);
    expect(allowed.text).toContain('portal_http_requests_total');
  });
});
