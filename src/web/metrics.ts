import { timingSafeEqual, createHash } from 'node:crypto';
import type { Express, Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { paths } from '../paths';
import { isDatabaseUnavailable } from './database-unavailable';

export interface MetricsOptions {
  db: Knex;
  /** When set, /metrics needs `Authorization: Bearer <token>`; unset, it answers only direct loopback requests. */
  token: string | undefined;
}

/** The route pattern, never the raw URL: ids and numbers stay out of the labels (and the series count bounded). */
function routeLabel(req: Request, status: number): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return status === 404 ? '(unmatched)' : '(middleware)';
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A request may read the metrics with the configured bearer token, or (no token configured) when it comes straight
 * from loopback: a request a reverse proxy forwarded (X-Forwarded-For, Forwarded) comes from outside even though the
 * proxy connects over loopback.
 */
export function metricsAllowed(req: Request, token: string | undefined): boolean {
  if (token) {
    const sent = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    return sent !== undefined && timingSafeEqual(sha256(sent), sha256(token));
  }
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !forwarded && LOOPBACK.has(req.socket.remoteAddress ?? '');
}

/** Prometheus metrics: requests by route pattern, outbox backlog, failed jobs and emails; served at /metrics. */
export function setUpMetrics(app: Express, options: MetricsOptions): void {
  const { db } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portal_' });

  const requests = new Counter({
    name: 'portal_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'portal_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const unavailable = new Counter({
    name: 'portal_metrics_database_errors_total',
    help: 'Scrapes that could not read the outbox or job tables (the database did not answer).',
    registers: [registry],
  });
  new Gauge({
    name: 'portal_outbox_emails',
    help: 'Emails in the outbox by status: pending and sending are the backlog, failed needs staff.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of ['pending', 'sending', 'failed']) this.set({ status }, 0);
      try {
        const rows = await db('outbox')
          .whereIn('status', ['pending', 'sending', 'failed'])
          .groupBy('status')
          .select<{ status: string; count: number }[]>('status', db.raw('count(*)::int as count'));
        for (const row of rows) this.set({ status: row.status }, row.count);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        unavailable.inc();
      }
    },
  });
  new Gauge({
    name: 'portal_outbox_oldest_pending_seconds',
    help: 'Age of the oldest email waiting to be sent (0 when none waits).',
    registers: [registry],
    async collect() {
      try {
        const row = await db('outbox')
          .whereIn('status', ['pending', 'sending'])
          .first<{ age: number | null } | undefined>(
            db.raw('coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age'),
          );
        this.set(row?.age ?? 0);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
      }
    },
  });
  new Gauge({
    name: 'portal_jobs_failed',
    help: 'Jobs of the job queue (pg-boss) that failed, by queue, kept for pg-boss retention period.',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const exists = await db.raw<{ rows: { found: string | null }[] }>("select to_regclass('pgboss.job') as found");
        if (!exists.rows[0]?.found) return;
        const { rows } = await db.raw<{ rows: { name: string; count: number }[] }>(
          "select name, count(*)::int as count from pgboss.job where state = 'failed' group by name",
        );
        for (const row of rows) this.set({ queue: row.name }, row.count);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
      }
    },
  });

  const measure: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const route = routeLabel(req, res.statusCode);
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  app.use(measure);
  app.get(paths.metrics, async (req, res) => {
    if (!metricsAllowed(req, options.token)) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(await registry.metrics());
  });
}
