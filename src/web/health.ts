import type { Express } from 'express';
import type { Knex } from 'knex';
import { paths } from '../paths';

/** Liveness (the process answers) and readiness (the database answers); before sessions, so they stay cheap. */
export function setUpHealthChecks(app: Express, db: Knex): void {
  app.get(paths.health, (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(paths.ready, async (req, res) => {
    try {
      await db.raw('select 1');
      res.json({ status: 'ok' });
    } catch (error) {
      req.log.error({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });
}
