/**
 * How fast the launch dashboard, its lists and exports, and the letter answer at national scale:
 * `npm run bench:launch` (DATABASE_URL's server, or the embedded one). Fills a new database with 20,000 employers
 * (one in ten without a registry address, every other one with an active orderer), 60,000 codes (two in three with
 * an administrator), 300,000 persons with an imported permission each and a review for one in three, then times
 * each page's queries, the CSV exports, and sending the letter to every employer. The database is dropped afterwards.
 */
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { launchService } from '../../src/launch/service';
import { LUHN_DIGIT_FUNCTION, printTimed, runScript, withScratchDatabase } from '../bench/scratch';

const EMPLOYERS = Number(process.env.BENCH_EMPLOYERS ?? 20_000);
const PERSONS = EMPLOYERS * 15;

const LUHN_DIGIT = LUHN_DIGIT_FUNCTION;

const timed = <T>(label: string, work: () => Promise<T>): Promise<T> =>
  printTimed(label, work, { unit: 's', width: 52 });

/** Counts what an export writes, keeping nothing. */
function sink(): Writable & { bytes: number } {
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  out.bytes = 0;
  return out;
}

async function fill(db: Knex): Promise<string> {
  return db.transaction(async (trx) => {
    await trx.raw(LUHN_DIGIT);
    await trx.raw(
      `insert into persons (personal_identity_number, given_name, family_name, display_name, email)
       select p || pg_temp.luhn_digit(substr(p, 3)), 'Person', 'Nummer ' || i, 'Person Nummer ' || i,
              'person' || i || '@example.se'
         from generate_series(0, ? - 1) as i,
              lateral (select to_char(date '1930-01-01' + (i % 20000), 'YYYYMMDD')
                              || lpad((i / 20000)::text, 3, '0') as p) as base`,
      [PERSONS],
    );
    await trx.raw(
      `insert into employers (organisation_number, name, registry_email)
       select o || pg_temp.luhn_digit(o), 'Arbetsgivare ' || i,
              case when i % 10 = 0 then null else 'registrator' || i || '@example.se' end
         from generate_series(0, ? - 1) as i, lateral (select '55' || lpad(i::text, 7, '0') as o) as base`,
      [EMPLOYERS],
    );
    await trx.raw(
      `insert into employer_codes (employer_id, code, name)
       select e.id, (100000 + row_number() over (order by e.id, k))::text, 'Kod ' || k
         from employers e, generate_series(1, 3) as k`,
    );
    const numbered = `(select id, row_number() over (order by personal_identity_number) as n,
                              personal_identity_number, email from persons)`;
    await trx.raw(
      `insert into role_assignments (person_id, employer_id, employer_code_id, role)
       select p.id, c.employer_id, c.id, 'administrator'
         from (select id, employer_id, row_number() over (order by code) as n from employer_codes) c
         join ${numbered} p on p.n = c.n
        where c.n % 3 <> 0`,
    );
    await trx.raw(
      `with chosen as (
         select e.id as employer_id, p.id as person_id, p.personal_identity_number, p.email
           from (select id, row_number() over (order by organisation_number) as n from employers) e
           join ${numbered} p on p.n = e.n + 100000
          where e.n % 2 = 0),
       applications as (
         insert into orderer_applications (employer_id, name, title, personal_identity_number, email, status,
                                           accepted_terms_version_id, terms_accepted_at, submitted_form, submitted_at)
         select employer_id, 'Beställare', 'Personalchef', personal_identity_number, email, 'active',
                (select id from terms_versions limit 1), now(), '{}', now()
           from chosen
         returning id, employer_id)
       insert into role_assignments (person_id, employer_id, role, application_id)
       select c.person_id, a.employer_id, 'orderer', a.id from applications a join chosen c using (employer_id)`,
    );
    await trx.raw(
      `insert into permissions (person_id, employer_code_id, service_id, granted_at, source)
       select p.id, c.id, (select id from services where key = 'rapport-direkt'), now() - interval '1 year', 'import'
         from ${numbered} p
         join (select id, row_number() over (order by code) as n from employer_codes) c
           on c.n = (p.n % (select count(*) from employer_codes)) + 1`,
    );
    await trx.raw(
      `insert into audit_log (occurred_at, actor_type, actor_person_id, actor_role, employer_code_id, action,
                              subject_type, subject_id)
       select now() - interval '1 month', 'person', g.person_id, 'administrator', g.employer_code_id,
              'permission.revoked', 'person', g.person_id::text
         from (select person_id, employer_code_id, row_number() over (order by person_id) as n
                 from permissions) g
        where g.n % 3 = 0`,
    );
    const [staff] = await trx
      .raw<{ rows: { id: string }[] }>(
        `insert into staff (person_id) select id from persons limit 1 returning person_id as id`,
      )
      .then((result) => result.rows);
    if (!staff) throw new Error('no staff');
    return staff.id;
  });
}

async function measure(db: Knex): Promise<void> {
  const staffId = await timed(`fill (${String(EMPLOYERS)} employers, ${String(PERSONS)} imported users)`, () =>
    fill(db),
  );
  await timed('analyze', () => db.raw('analyze'));
  const launch = launchService(db, () => Date.now(), { baseUrl: 'https://behorigheter.example.se' });
  const figures = await timed('dashboard figures', () => launch.figures());
  console.log(JSON.stringify(figures));
  for (const filter of ['all', 'with-orderer', 'without-orderer', 'letter-not-sent', 'no-registry-email'] as const) {
    await timed(`employers list, ${filter}, page 1`, () => launch.employers(filter, 1));
  }
  await timed('employers list, all, page 300', () => launch.employers('all', 300));
  await timed('codes without administrator, page 1', () => launch.codesWithoutAdministrator(1));
  await timed('codes without administrator, page 100', () => launch.codesWithoutAdministrator(100));
  for (const filter of ['all', 'reviewed', 'not-reviewed'] as const) {
    await timed(`imported users, ${filter}, page 1`, () => launch.importedUsers(filter, 1));
  }
  await timed('imported users, all, page 2000', () => launch.importedUsers('all', 2000));
  await timed('letter form counts', () => launch.audienceCounts());
  const fields = () => ['x'];
  const employersOut = sink();
  await timed('CSV: every employer', () => launch.exportEmployers('all', employersOut, ['x'], fields));
  const importedOut = sink();
  await timed('CSV: every imported user', () => launch.exportImported('all', importedOut, ['x'], fields));
  const actor = { type: 'person', personId: staffId, role: 'staff', requestId: undefined } as const;
  const first = await timed('letter to every employer with an address', () =>
    launch.send({ audience: 'all', submissionId: crypto.randomUUID(), decision: undefined }, actor),
  );
  console.log(JSON.stringify(first));
  const second = await timed('the same again: confirmation step (nothing sent)', () =>
    launch.send({ audience: 'all', submissionId: crypto.randomUUID(), decision: undefined }, actor),
  );
  console.log(second.status);
  await timed('dashboard figures after the letter', () => launch.figures());
}

runScript(() => withScratchDatabase('portal_bench_launch', measure, { min: 1, max: 4 }));
