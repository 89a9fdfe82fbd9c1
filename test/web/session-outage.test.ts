import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createSessionStore, setUpSession } from '../../src/web/session';
import { freshDatabase } from '../helpers/database';

describe('a session while its read fails once', async () => {
  const { url } = await freshDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(() => pool.end());
  // The real store; its next read fails as it does while PostgreSQL restarts ("starting up").
  const store = createSessionStore(pool);
  const read = store.get.bind(store);
  let failNextRead = false;
  store.get = (sid, callback) => {
    if (!failNextRead) {
      read(sid, callback);
      return;
    }
    failNextRead = false;
    callback(Object.assign(new Error('the database system is starting up'), { code: '57P03' }));
  };
  const app = express();
  setUpSession(app, loadConfig({ NODE_ENV: 'test' }), store, Date.now);
  app.get('/login', (req, res) => {
    req.session.personId = 'a-person';
    res.send('ok');
  });
  app.get('/who', (req, res) => {
    res.send(req.session.personId ?? 'nobody');
  });
  const unavailable: express.ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    res.status(503).send('unavailable');
  };
  app.use(unavailable);

  it('is still there once the database answers again (the failed request does not end it)', async () => {
    const agent = request.agent(app);
    await agent.get('/login').expect(200);
    expect((await agent.get('/who').expect(200)).text).toBe('a-person');
    failNextRead = true;
    await agent.get('/who').expect(503);
    expect((await agent.get('/who').expect(200)).text).toBe('a-person');
  });
});
