/**
 * The benchmark data, set-based: every table is filled by one INSERT … SELECT over generate_series, with
 * deterministic ids (so the permissions can name their person, code and granter without joins). Secondary indexes and
 * foreign keys of the loaded tables are dropped first and rebuilt after the load (a sort per index instead of
 * millions of b-tree insertions and foreign-key trigger calls), then everything is vacuumed and analysed.
 *
 * The shape (see scale.ts): persons 0 … L-1 work for employer 0, the largest; the others are spread over the other
 * employers. Each employer's first user administers all its codes. Each person holds `permissionsPerPerson` grants
 * on their employer's codes (distinct code × service pairs), a third of them imported from the old records. One
 * person in twenty has not logged in for two years or more (inactive), one in twenty logged in only in the old records
 * (legacy_last_login_at).
 */
import { SingleBar, Presets } from 'cli-progress';
import pg from 'pg';
import { createKnex } from '../../src/db/knex';
import { migrateToLatest } from '../../src/db/migrations';
import { timed, writeGenerated, type GeneratedData } from './database';
import type { Scale } from './scale';

const LOADED_TABLES = ['persons', 'employers', 'employer_codes', 'role_assignments', 'permissions'];

const GIVEN_NAMES = [
  'Anna',
  'Erik',
  'Maria',
  'Lars',
  'Karin',
  'Johan',
  'Sara',
  'Anders',
  'Eva',
  'Per',
  'Lena',
  'Mikael',
  'Kerstin',
  'Nils',
  'Ingrid',
  'Olof',
  'Elin',
  'Gustav',
  'Sofia',
  'Mikko',
  'Aisha',
  'Ahmed',
  'Linnea',
  'Björn',
];
const FAMILY_NAMES = [
  'Andersson',
  'Johansson',
  'Karlsson',
  'Nilsson',
  'Eriksson',
  'Larsson',
  'Olsson',
  'Persson',
  'Svensson',
  'Gustafsson',
  'Pettersson',
  'Jonsson',
  'Lindqvist',
  'Lindberg',
  'Bergström',
  'Holm',
  'Virtanen',
  'Sandberg',
  'Lundgren',
  'Ek',
  'Hassan',
  'Åberg',
  'Nyström',
  'Wikström',
];

const sqlArray = (values: readonly string[]): string => `array[${values.map((v) => pg.escapeLiteral(v)).join(', ')}]`;

/** Session helpers: pg_temp functions are inlined by the planner (single-expression SQL functions). */
function helperFunctions(): string {
  // Luhn check digit of a 9-digit payload: every other digit from the left, starting with the first, is doubled.
  const terms = Array.from({ length: 9 }, (_, index) => {
    const digit = `substr(payload, ${index + 1}, 1)::int`;
    return index % 2 === 0 ? `(${digit} * 2 % 10 + ${digit} * 2 / 10)` : digit;
  });
  return `
    create function pg_temp.luhn(payload text) returns text language sql immutable
      return ((10 - (${terms.join(' + ')}) % 10) % 10)::text;
    create function pg_temp.uid(kind int, n bigint) returns uuid language sql immutable
      return (lpad(to_hex(kind), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid;`;
}

interface Deferred {
  indexes: string[];
  foreignKeys: { table: string; name: string; definition: string }[];
}

/** Drops the loaded tables' secondary indexes (not those behind a constraint) and foreign keys, returning how to rebuild them. */
async function dropDeferred(client: pg.Client): Promise<Deferred> {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i
      where i.indrelid = any($1::regclass[])
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [LOADED_TABLES],
  );
  const { rows: foreignKeys } = await client.query<{ table: string; name: string; definition: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
       from pg_constraint where contype = 'f' and conrelid = any($1::regclass[])`,
    [LOADED_TABLES],
  );
  for (const key of foreignKeys) {
    await client.query(`alter table ${key.table} drop constraint ${pg.escapeIdentifier(key.name)}`);
  }
  for (const index of indexes) await client.query(`drop index ${index.name}`);
  return { indexes: indexes.map((index) => index.definition), foreignKeys };
}

function loadSteps(scale: Scale): { label: string; sql: string }[] {
  const { persons, employers, codesPerEmployer: cpe, permissionsPerPerson: ppp, largestEmployerUsers: big } = scale;
  if (ppp > cpe * 6) throw new Error('more permissions per person than code × service pairs');
  const employerOf = (i: string) => `(case when ${i} < ${big} then 0 else 1 + (${i} - ${big}) % ${employers - 1} end)`;
  const adminOf = (e: string) => `(case when ${e} = 0 then 0 else ${big} + ${e} - 1 end)`;
  return [
    {
      label: `persons (${persons.toLocaleString('en')})`,
      sql: `
        insert into persons (id, personal_identity_number, given_name, family_name, display_name, email,
                             preferred_language, last_login_at, legacy_last_login_at)
        select pg_temp.uid(1, i), b.p || pg_temp.luhn(substr(b.p, 3)), n.given, n.family, n.given || ' ' || n.family,
               'anvandare' || i || '@example.se', case when i % 10 = 3 then 'en' else 'sv' end,
               case when i % 20 = 7 then case when i % 40 = 7 then null
                                              else now() - interval '2 years' - (i % 300) * interval '1 day' end
                    when i % 20 = 11 then null
                    else now() - (i % 400) * interval '1 day' end,
               case when i % 20 = 11 then now() - (i % 200) * interval '1 day'
                    when i % 20 = 7 and i % 3 = 0 then now() - interval '3 years' end
          from generate_series(0, ${persons - 1}) as i,
               lateral (select to_char(date '1930-01-01' + (i % 20000), 'YYYYMMDD')
                               || lpad((1 + i / 20000)::text, 3, '0') as p) as b,
               lateral (select (${sqlArray(GIVEN_NAMES)})[1 + i % ${GIVEN_NAMES.length}] as given,
                               (${sqlArray(FAMILY_NAMES)})[1 + (i / ${GIVEN_NAMES.length}) % ${FAMILY_NAMES.length}]
                                 as family) as n`,
    },
    {
      label: `employers (${employers.toLocaleString('en')}) and codes (${(employers * cpe).toLocaleString('en')})`,
      sql: `
        insert into employers (id, organisation_number, name, registry_email)
        select pg_temp.uid(2, e), o || pg_temp.luhn(o), 'Arbetsgivare ' || e,
               'registrator' || e || '@example.se'
          from generate_series(0, ${employers - 1}) as e, lateral (select '55' || lpad(e::text, 7, '0') as o) as x;
        insert into employer_codes (id, employer_id, code, name, active)
        select pg_temp.uid(3, e * ${cpe} + k), pg_temp.uid(2, e), (100000 + e * ${cpe} + k)::text, 'Kod ' || (k + 1),
               not (k = ${cpe - 1} and e % 10 = 5)
          from generate_series(0, ${employers - 1}) as e, generate_series(0, ${cpe - 1}) as k`,
    },
    {
      label: `administrators (${(employers * cpe).toLocaleString('en')})`,
      sql: `
        insert into role_assignments (person_id, employer_id, employer_code_id, role, appointed_at)
        select pg_temp.uid(1, ${adminOf('e')}), pg_temp.uid(2, e), pg_temp.uid(3, e * ${cpe} + k), 'administrator',
               now() - interval '4 years'
          from generate_series(0, ${employers - 1}) as e, generate_series(0, ${cpe - 1}) as k`,
    },
    {
      label: `permissions (${(persons * ppp).toLocaleString('en')})`,
      sql: `
        insert into permissions (id, person_id, employer_code_id, service_id, granted_by_person_id, granted_at,
                                 expires_at, revoked_at, source)
        select pg_temp.uid(4, i * ${ppp} + k), pg_temp.uid(1, i), pg_temp.uid(3, x.e * ${cpe} + k % ${cpe}),
               s.ids[1 + (k / ${cpe} + i) % 6],
               case when i % 3 = 0 then null else pg_temp.uid(1, ${adminOf('x.e')}) end,
               x.granted_at,
               case when k = ${ppp - 2} and i % 50 = 4 then now() + interval '30 days' end,
               case when k = ${ppp - 1} and i % 50 = 3 then x.granted_at + interval '1 day' end,
               case when i % 3 = 0 then 'import' else 'portal' end
          from (select array_agg(id order by sort_order, key) as ids from services) as s,
               generate_series(0, ${persons - 1}) as i,
               generate_series(0, ${ppp - 1}) as k,
               lateral (select ${employerOf('i')} as e,
                               now() - ((i * 7 + k * 31) % 1000) * interval '1 day' as granted_at) as x`,
    },
  ];
}

export interface GenerateOptions {
  /** Draw a progress bar on stderr (the command line). */
  progress: boolean;
}

/** Migrates the (empty) database at `url` and fills it at the given scale; returns what it did and how long it took. */
export async function generate(url: string, scale: Scale, options: GenerateOptions): Promise<GeneratedData> {
  const started = Date.now();
  const db = createKnex(url, { min: 0, max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const steps = loadSteps(scale);
  const bar = new SingleBar(
    { format: 'bench data [{bar}] {value}/{total} {step}  {duration_formatted}', hideCursor: true },
    Presets.shades_classic,
  );
  const total = steps.length + 4;
  if (options.progress) bar.start(total, 0, { step: 'preparing' });
  const stepSeconds: Record<string, number> = {};
  let stepStarted = Date.now();
  const step = (label: string) => {
    stepSeconds[label] = (Date.now() - stepStarted) / 1000;
    stepStarted = Date.now();
    if (options.progress) bar.increment({ step: label });
  };
  try {
    await client.query(`set synchronous_commit = off; set maintenance_work_mem = '1GB'; set work_mem = '256MB';
                        set max_parallel_maintenance_workers = 2; ${helperFunctions()}`);
    const deferred = await dropDeferred(client);
    step('dropped secondary indexes and foreign keys');
    for (const { label, sql } of steps) {
      if (options.progress) bar.update({ step: label });
      await client.query(sql);
      step(label);
    }
    for (const definition of deferred.indexes) await client.query(definition);
    step(`rebuilt ${deferred.indexes.length} indexes`);
    for (const key of deferred.foreignKeys) {
      await client.query(`alter table ${key.table} add constraint ${pg.escapeIdentifier(key.name)} ${key.definition}`);
    }
    step(`restored ${deferred.foreignKeys.length} foreign keys`);
    // The visibility map lets the overview's and the API's index-only scans skip the heap; statistics for the planner.
    await client.query('vacuum (analyze) persons, employers, employer_codes, role_assignments, permissions');
    step('vacuum and analyze');
    const { value: rows } = await timed(() => countRows(client));
    const data: GeneratedData = {
      scale: scale.name,
      seconds: (Date.now() - started) / 1000,
      steps: stepSeconds,
      rows,
      generatedAt: new Date().toISOString(),
    };
    await writeGenerated(client, url, data);
    return data;
  } finally {
    if (options.progress) bar.stop();
    await client.end();
  }
}

async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const table of LOADED_TABLES) {
    const result = await client.query<{ count: number }>(`select count(*)::int as count from ${table}`);
    rows[table] = result.rows[0]?.count ?? 0;
  }
  return rows;
}
