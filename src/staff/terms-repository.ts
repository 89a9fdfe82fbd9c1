import type { Knex } from 'knex';
import type { TermsRow } from '../onboarding/repository';

export type { TermsRow } from '../onboarding/repository';

type Db = Knex | Knex.Transaction;

const COLUMNS = ['id', 'version', 'body_sv', 'body_en', 'published_at'];

/** Every version published up to `at`, newest first. */
export function publishedTerms(db: Db, at: Date): Promise<TermsRow[]> {
  return db('terms_versions')
    .where('published_at', '<=', at)
    .orderBy([
      { column: 'published_at', order: 'desc' },
      { column: 'created_at', order: 'desc' },
    ])
    .select<TermsRow[]>(COLUMNS);
}

export function findTerms(db: Db, id: string): Promise<TermsRow | undefined> {
  return db('terms_versions').where({ id }).first<TermsRow | undefined>(COLUMNS);
}

export function findTermsByVersion(db: Db, version: string): Promise<TermsRow | undefined> {
  return db('terms_versions').where({ version }).first<TermsRow | undefined>(COLUMNS);
}

export async function insertTerms(
  trx: Knex.Transaction,
  terms: { version: string; bodySv: string; bodyEn: string },
  at: Date,
): Promise<TermsRow> {
  const [row] = await trx('terms_versions')
    .insert({ version: terms.version, body_sv: terms.bodySv, body_en: terms.bodyEn, published_at: at })
    .returning<TermsRow[]>(COLUMNS);
  if (!row) throw new Error('terms insert returned no row');
  return row;
}
