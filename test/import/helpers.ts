import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { schemaSnapshot } from '../db/schema-snapshot';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const SAMPLE = path.join(ROOT, 'docs/import-sample.csv');
export const BROKEN = path.join(ROOT, 'test/import/fixtures/broken.csv');

export function sha256(filePath: string): string {
  return createHash('sha256').update(readFileSync(filePath)).digest('hex');
}

/** Row counts of every table of ours, without the import's own log of runs. */
export async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const { rows } = await schemaSnapshot(db);
  return Object.fromEntries(Object.entries(rows).filter(([table]) => table !== 'import_runs'));
}

/** What the import leaves in the domain tables, in a form two databases can be compared by. */
export async function importedState(db: Knex) {
  return {
    employers: await db('employers')
      .orderBy('organisation_number')
      .select<{ organisation_number: string; name: string; registry_email: string | null }[]>(
        'organisation_number',
        'name',
        'registry_email',
      ),
    codes: await db('employer_codes as c')
      .join('employers as e', 'e.id', 'c.employer_id')
      .orderBy('c.code')
      .select<{ code: string; name: string; active: boolean; organisation_number: string }[]>(
        'c.code',
        'c.name',
        'c.active',
        'e.organisation_number',
      ),
    persons: await db('persons').orderBy('personal_identity_number').select<
      {
        personal_identity_number: string;
        display_name: string;
        email: string | null;
        legacy_last_login_at: Date | null;
        last_login_at: Date | null;
      }[]
    >('personal_identity_number', 'display_name', 'email', 'legacy_last_login_at', 'last_login_at'),
    permissions: await db('permissions as p')
      .join('persons as pe', 'pe.id', 'p.person_id')
      .join('employer_codes as c', 'c.id', 'p.employer_code_id')
      .join('services as s', 's.id', 'p.service_id')
      .orderBy(['pe.personal_identity_number', 'c.code', 's.key'])
      .select<
        {
          personal_identity_number: string;
          code: string;
          key: string;
          source: string;
          granted_by_person_id: string | null;
          revoked_at: Date | null;
        }[]
      >('pe.personal_identity_number', 'c.code', 's.key', 'p.source', 'p.granted_by_person_id', 'p.revoked_at'),
    audit: await db('audit_log as a')
      .joinRaw('left join persons as pe on pe.id::text = a.subject_id')
      .leftJoin('employer_codes as c', 'c.id', 'a.employer_code_id')
      .orderBy(['a.action', 'pe.personal_identity_number', 'c.code', 'a.subject_type'])
      .select<
        {
          action: string;
          actor_type: string;
          subject_type: string;
          personal_identity_number: string | null;
          code: string | null;
          services: string[] | null;
        }[]
      >(
        'a.action',
        'a.actor_type',
        'a.subject_type',
        'pe.personal_identity_number',
        'c.code',
        db.raw(`a.after -> 'services' as services`),
      ),
  };
}

export async function countOf(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [row] = await db(table).where(where).count<{ count: number }[]>({ count: '*' });
  return row?.count ?? 0;
}
