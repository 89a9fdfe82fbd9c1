/**
 * How long the daily inactivity check takes at national scale: `npm run bench:inactivity` (uses DATABASE_URL's server,
 * or the embedded one). Fills a new database with 1,000,000 persons, 20,000 employers, 60,000 employer codes with one
 * administrator each and 1,000,000 permissions (one person in twenty not logged in for two years), runs the check
 * twice (notices, then nothing due) and prints the figures. The database is dropped afterwards.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config';
import { createKnex, withDatabase } from '../../src/db/knex';
import { migrateToLatest } from '../../src/db/migrations';
import { openDatabase } from '../../src/db/open';
import { runInactivityCheck } from '../../src/jobs/inactivity';
import { createLogger } from '../../src/logger';
import { createDatabase, dropDatabase } from '../helpers/database-admin';

const PERSONS = Number(process.env.BENCH_PERSONS ?? 1_000_000);
const EMPLOYERS = Math.max(1, Math.round(PERSONS / 50));
const CODES = EMPLOYERS * 3;

/** The Luhn check digit of a 9-digit payload, as SQL (set-based generation needs it per row). */
const LUHN_DIGIT = `
  create function pg_temp.luhn_digit(payload text) returns text language sql immutable as $$
    select ((10 - sum(case when i % 2 = 1
                           then (substr(payload, i, 1)::int * 2) % 10 + (substr(payload, i, 1)::int * 2) / 10
                           else substr(payload, i, 1)::int end) % 10) % 10)::text
      from generate_series(1, 9) as i
  $$`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(2).padStart(8)} s`);
  return result;
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const connection = await openDatabase(config, createLogger('silent'));
  const name = `portal_bench_${Date.now().toString(36)}`;
  const serverUrl = withDatabase(connection.url, 'postgres');
  await createDatabase(serverUrl, name);
  const db = createKnex(withDatabase(connection.url, name), { min: 1, max: 2 });
  try {
    await migrateToLatest(db);
    await db.transaction(async (trx) => {
      await trx.raw(LUHN_DIGIT);
      await timed(`persons (${PERSONS.toLocaleString('sv-SE')})`, () =>
        trx.raw(
          `insert into persons (personal_identity_number, given_name, family_name, display_name, email, last_login_at)
           select p || pg_temp.luhn_digit(substr(p, 3)), 'Person', 'Nummer ' || i, 'Person Nummer ' || i,
                  'person' || i || '@example.se',
                  case when i % 20 = 0 then now() - interval '2 years' else now() - (i % 500) * interval '1 day' end
             from generate_series(0, ? - 1) as i,
                  lateral (select to_char(date '1930-01-01' + (i % 20000), 'YYYYMMDD')
                                  || lpad((i / 20000)::text, 3, '0') as p) as base`,
          [PERSONS],
        ),
      );
      await timed(`employers (${EMPLOYERS}) and codes (${CODES})`, async () => {
        await trx.raw(
          `insert into employers (organisation_number, name, registry_email)
           select o || pg_temp.luhn_digit(o), 'Arbetsgivare ' || i, 'registrator' || i || '@example.se'
             from generate_series(0, ? - 1) as i, lateral (select '55' || lpad(i::text, 7, '0') as o) as base`,
          [EMPLOYERS],
        );
        await trx.raw(
          `insert into employer_codes (employer_id, code, name)
           select e.id, (100000 + row_number() over (order by e.id, k))::text, 'Kod ' || k
             from employers e, generate_series(1, 3) as k`,
        );
      });
      await timed('administrators (one per code)', () =>
        trx.raw(
          `insert into role_assignments (person_id, employer_id, employer_code_id, role)
           select p.id, c.employer_id, c.id, 'administrator'
             from (select id, row_number() over (order by code) as n, employer_id from employer_codes) c
             join (select id, row_number() over (order by personal_identity_number) as n from persons) p on p.n = c.n`,
        ),
      );
      await timed(`permissions (${PERSONS.toLocaleString('sv-SE')})`, () =>
        trx.raw(
          `insert into permissions (person_id, employer_code_id, service_id, granted_at, source)
           select p.id, c.id, (select id from services where key = 'fakturaspecifikationer'),
                  now() - interval '3 years', 'import'
             from (select id, row_number() over (order by id) % ? + 1 as n from persons) p
             join (select id, row_number() over (order by code) as n from employer_codes) c on c.n = p.n`,
          [CODES],
        ),
      );
    });
    await timed('analyze', () => db.raw('analyze'));
    const settings = { months: 18, reminderDays: 30, baseUrl: 'https://behorigheter.example.se' };
    const first = await timed('inactivity check, first run (notices)', () =>
      runInactivityCheck(db, settings, new Date()),
    );
    const second = await timed('inactivity check, second run (nothing due)', () =>
      runInactivityCheck(db, settings, new Date()),
    );
    const [{ count }] = (await db('outbox').count({ count: '*' })) as [{ count: number }];
    console.log(
      `notices ${first.notices}, reminders ${first.reminders}; second run: notices ${second.notices}, ` +
        `reminders ${second.reminders}; outbox rows ${count}`,
    );
  } finally {
    await db.destroy();
    await dropDatabase(serverUrl, name);
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
