import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import { databaseError, insertEmployer, insertPerson } from './fixtures';

const { db } = await freshDatabase();

async function entries(): Promise<unknown[]> {
  return db('audit_log').orderBy('id').select('*');
}

async function record(values: Record<string, unknown> = {}): Promise<number> {
  const person = await insertPerson(db);
  const employer = await insertEmployer(db);
  const [row] = await db('audit_log')
    .insert({
      actor_type: 'person',
      actor_person_id: person.id,
      actor_role: 'administrator',
      employer_id: employer.id,
      action: 'permission.granted',
      subject_type: 'permission',
      subject_id: '1',
      after: { service: 'rapporter' },
      ...values,
    })
    .returning<{ id: number }[]>('id');
  if (!row) throw new Error('nothing recorded');
  return row.id;
}

describe('the audit log', () => {
  it('records entries with increasing ids and the time', async () => {
    const first = await record();
    const second = await record({ actor_type: 'system', actor_person_id: null, actor_role: null });
    expect(second).toBeGreaterThan(first);
    const row = await db('audit_log').where({ id: first }).first<{ occurred_at: Date } | undefined>('occurred_at');
    expect(row?.occurred_at).toBeInstanceOf(Date);
  });

  it('refuses to change an entry', async () => {
    const id = await record();
    const before = await entries();
    const error = await databaseError(db('audit_log').where({ id }).update({ action: 'permission.revoked' }));
    expect(error.message).toMatch(/audit_log is append-only: UPDATE refused/);
    expect(await entries()).toEqual(before);
  });

  it('refuses to delete an entry', async () => {
    const id = await record();
    const before = await entries();
    const error = await databaseError(db('audit_log').where({ id }).delete());
    expect(error.message).toMatch(/audit_log is append-only: DELETE refused/);
    expect(await entries()).toEqual(before);
  });

  it('refuses to be truncated', async () => {
    await record();
    const before = await entries();
    const error = await databaseError(db.raw('truncate audit_log'));
    expect(error.message).toMatch(/audit_log is append-only: TRUNCATE refused/);
    expect(await entries()).toEqual(before);
  });

  it('needs the person when a person acted', async () => {
    expect(await databaseError(record({ actor_person_id: null }))).toMatchObject({
      code: '23514',
      constraint: 'audit_log_person_actor_check',
    });
  });

  it('needs the API client when an API client acted', async () => {
    expect(await databaseError(record({ actor_type: 'api_client', actor_person_id: null }))).toMatchObject({
      code: '23514',
      constraint: 'audit_log_api_client_actor_check',
    });
  });

  it.each([
    ['an unknown actor type', { actor_type: 'robot' }, 'audit_log_actor_type_check'],
    ['an unknown role', { actor_role: 'king' }, 'audit_log_actor_role_check'],
    ['an action that is not dotted lower case', { action: 'Granted permission' }, 'audit_log_action_check'],
  ])('refuses %s', async (_, values, constraint) => {
    expect(await databaseError(record(values))).toMatchObject({ code: '23514', constraint });
  });
});
