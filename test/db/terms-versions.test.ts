import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/database';
import { databaseError } from './fixtures';

const { db } = await freshDatabase();

describe('terms versions', () => {
  it('can be published, but a published version can be neither changed nor removed', async () => {
    await db('terms_versions').insert({
      version: '2030-01',
      body_sv: 'Villkor',
      body_en: 'Terms',
      published_at: new Date(),
    });
    expect(
      (await databaseError(db('terms_versions').where({ version: '2030-01' }).update({ body_sv: 'Ändrat' }))).message,
    ).toContain('terms_versions are immutable: UPDATE refused');
    expect((await databaseError(db('terms_versions').where({ version: '2030-01' }).delete())).message).toContain(
      'terms_versions are immutable: DELETE refused',
    );
    const row = await db('terms_versions')
      .where({ version: '2030-01' })
      .first<{ body_sv: string } | undefined>('body_sv');
    expect(row?.body_sv).toBe('Villkor');
  });
});
