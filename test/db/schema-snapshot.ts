import type { Knex } from 'knex';

/** What our migrations own in the public schema; knex's own bookkeeping tables are left out. */
export interface SchemaSnapshot {
  tables: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  functions: string[];
  triggers: string[];
  rows: Record<string, number>;
}

const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

async function names(db: Knex, sql: string, bindings: Knex.RawBinding[] = [KNEX_TABLES]): Promise<string[]> {
  const result = await db.raw<{ rows: { name: string }[] }>(sql, bindings);
  return result.rows.map((row) => row.name).sort();
}

export async function schemaSnapshot(db: Knex): Promise<SchemaSnapshot> {
  const tables = await names(
    db,
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_name <> all(?)`,
  );
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const [{ count } = { count: 0 }] = await db(table).count<{ count: number }[]>({ count: '*' });
    rows[table] = count;
  }
  return {
    tables,
    columns: await names(
      db,
      `select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
              || ' ' || coalesce(column_default, '') as name
         from information_schema.columns where table_schema = 'public' and table_name <> all(?)`,
    ),
    constraints: await names(
      db,
      `select conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) as name
         from pg_constraint where connamespace = 'public'::regnamespace and conrelid::regclass::text <> all(?)`,
    ),
    indexes: await names(
      db,
      `select indexdef as name from pg_indexes where schemaname = 'public' and tablename <> all(?)`,
    ),
    functions: await names(
      db,
      `select oid::regprocedure::text as name from pg_proc where pronamespace = 'public'::regnamespace`,
      [],
    ),
    triggers: await names(
      db,
      `select tgrelid::regclass || ' ' || tgname as name from pg_trigger
        where not tgisinternal and tgrelid::regclass::text <> all(?)`,
    ),
    rows,
  };
}
