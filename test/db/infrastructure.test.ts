import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import { databaseError, tokenHash } from './fixtures';

const { db, url } = await freshDatabase();

describe('the outbox', () => {
  const mail = {
    recipient_email: 'anna.andersson@example.org',
    template: 'permission-granted',
    data: { code: '40101' },
  };

  it('queues a pending e-mail due now', async () => {
    const [row] = await db('outbox')
      .insert(mail)
      .returning<{ status: string; attempts: number; language: string }[]>(['status', 'attempts', 'language']);
    expect(row).toMatchObject({ status: 'pending', attempts: 0, language: 'sv' });
  });

  it('refuses a sent e-mail without the time it was sent, and a sending time on an unsent one', async () => {
    expect(await databaseError(db('outbox').insert({ ...mail, status: 'sent' }))).toMatchObject({
      code: '23514',
      constraint: 'outbox_sent_at_check',
    });
    expect(await databaseError(db('outbox').insert({ ...mail, sent_at: new Date() }))).toMatchObject({
      code: '23514',
      constraint: 'outbox_sent_at_check',
    });
    await db('outbox').insert({ ...mail, status: 'sent', sent_at: new Date() });
  });

  it.each([
    ['an unknown status', { status: 'lost' }, 'outbox_status_check'],
    ['negative attempts', { attempts: -1 }, 'outbox_attempts_check'],
    ['a language other than sv and en', { language: 'fi' }, 'outbox_language_check'],
  ])('refuses %s', async (_, values, constraint) => {
    expect(await databaseError(db('outbox').insert({ ...mail, ...values }))).toMatchObject({
      code: '23514',
      constraint,
    });
  });
});

describe('the sessions table', () => {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(() => pool.end());
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: false });

  it('stores and reads back a session through connect-pg-simple', async () => {
    const data = { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) }, startedAt: 1 };
    await new Promise<void>((resolve, reject) => {
      store.set('sid-1', data, (error: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error('session store failed'));
        else resolve();
      });
    });
    const read = await new Promise<unknown>((resolve, reject) => {
      store.get('sid-1', (error, value) => {
        if (error) reject(error as Error);
        else resolve(value);
      });
    });
    expect(read).toMatchObject({ startedAt: 1 });
    expect(await db('sessions').count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
  });
});

describe('the SAML caches', () => {
  it('refuse an assertion id seen before', async () => {
    const assertionId = `_${tokenHash()}`;
    await db('saml_assertion_ids').insert({ assertion_id: assertionId });
    expect(await databaseError(db('saml_assertion_ids').insert({ assertion_id: assertionId }))).toMatchObject({
      code: '23505',
    });
  });

  it('keep a request id with its value and time', async () => {
    await db('saml_request_ids').insert({ id: '_request-1', value: '2026-11-27T10:00:00Z' });
    expect(await databaseError(db('saml_request_ids').insert({ id: '_request-1', value: 'again' }))).toMatchObject({
      code: '23505',
    });
  });
});

describe('API clients', () => {
  it('refuse a client id used twice', async () => {
    const client = { name: 'Rapport direkt', client_id: 'rapport-direkt', secret_hash: tokenHash() };
    await db('api_clients').insert(client);
    expect(await databaseError(db('api_clients').insert(client))).toMatchObject({
      code: '23505',
      constraint: 'api_clients_client_id_key',
    });
  });
});
