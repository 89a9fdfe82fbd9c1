/**
 * How fast the audit pages read a large log: `npx tsx test/audit/bench-history.ts` (DATABASE_URL's server, or the
 * embedded one). Fills a new database with 1,000,000 audit rows spread over 4,000 employers (12,000 codes, 200,000
 * persons) plus one large employer with 100,000 rows, times each kind of page read, the filter's person list and the
 * CSV export, and drops the database afterwards.
 */
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { auditHistoryService, type AuditReader } from '../../src/audit/history-service';
import { LUHN_DIGIT_FUNCTION, printTimed, runScript, withScratchDatabase } from '../bench/scratch';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const EMPLOYERS = 4_000;
const PERSONS = 200_000;
const LARGE = 100_000;

const LUHN_DIGIT = LUHN_DIGIT_FUNCTION;

const timed = <T>(label: string, work: () => Promise<T>): Promise<T> =>
  printTimed(label, work, { unit: 'ms', width: 58 });

async function measure(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw(LUHN_DIGIT);
    await timed(`persons (${String(PERSONS)}), employers (${String(EMPLOYERS)}), codes`, async () => {
      await trx.raw(
        `insert into persons (personal_identity_number, display_name)
           select p || pg_temp.luhn_digit(substr(p, 3)), 'Person ' || i
             from generate_series(0, ? - 1) as i,
                  lateral (select to_char(date '1930-01-01' + (i % 20000), 'YYYYMMDD')
                                  || lpad((i / 20000)::text, 3, '0') as p) as base`,
        [PERSONS],
      );
      await trx.raw(
        `insert into employers (organisation_number, name)
           select o || pg_temp.luhn_digit(o), 'Arbetsgivare ' || i
             from generate_series(0, ? - 1) as i, lateral (select '55' || lpad(i::text, 7, '0') as o) as base`,
        [EMPLOYERS],
      );
      await trx.raw(
        `insert into employer_codes (employer_id, code, name)
           select e.id, (100000 + row_number() over (order by e.id, k))::text, 'Kod ' || k
             from employers e, generate_series(1, 3) as k`,
      );
    });
    await timed(`audit rows (${String(ROWS + LARGE)})`, () =>
      trx.raw(
        `with p as (select id, row_number() over (order by id) - 1 as n from persons),
                c as (select id, employer_id, row_number() over (order by id) - 1 as n from employer_codes),
                rows as (select i, (i % 12000) as code_n, (i * 7 % ${String(PERSONS)}) as actor_n,
                                (i * 13 % ${String(PERSONS)}) as subject_n
                           from generate_series(0, ? - 1) as i
                         union all
                         select i, (i % 3), (i * 7 % 500), (i * 13 % 20000) from generate_series(0, ? - 1) as i)
           insert into audit_log (occurred_at, actor_type, actor_person_id, actor_role, employer_id, employer_code_id,
                                  action, subject_type, subject_id, after)
           select timestamptz '2024-01-01' + r.i * interval '30 seconds', 'person', a.id, 'administrator',
                  c.employer_id, c.id, 'permission.granted', 'permission', gen_random_uuid()::text,
                  jsonb_build_object('personId', s.id, 'service', 'rapporter')
             from rows r join c on c.n = r.code_n join p a on a.n = r.actor_n join p s on s.n = r.subject_n`,
        [ROWS, LARGE],
      ),
    );
  });
  await db.raw('analyze');

  const history = auditHistoryService(db);
  const large = await db('employer_codes').orderBy('id').first<{ employer_id: string; id: string }>();
  const someone = await db('persons').orderBy('id').offset(12_345).first<{ id: string }>('id');
  const readers: [string, AuditReader][] = [
    ['staff, everything', { kind: 'staff' }],
    ['orderer of the large employer (100,000+ rows)', { kind: 'employer', employerId: large.employer_id }],
    ['administrator of one code of it', { kind: 'administrator', employerId: large.employer_id, codeIds: [large.id] }],
    ['a person, own history', { kind: 'self', personId: someone.id }],
  ];
  for (const [label, reader] of readers) {
    const first = await timed(`${label}: first page`, () => history.page(reader, {}));
    if (first.status !== 'ok') throw new Error('forbidden');
    let rows = first.rows;
    for (let n = 0; n < 5; n++) {
      const last = rows.at(-1);
      if (!last) break;
      const next = await history.page(reader, { cursor: { older: last.id } });
      rows = next.status === 'ok' ? next.rows : [];
    }
    const last = rows.at(-1);
    if (last) await timed(`${label}: 7th page (keyset)`, () => history.page(reader, { cursor: { older: last.id } }));
    await timed(`${label}: one month`, () => history.page(reader, { from: '2024-03-01', to: '2024-03-31' }));
  }
  const employer: AuditReader = { kind: 'employer', employerId: large.employer_id };
  const actor = await db('audit_log').where({ employer_id: large.employer_id }).first<{ actor_person_id: string }>();
  await timed('large employer: filtered by person', () => history.page(employer, { personId: actor.actor_person_id }));
  const choices = await timed('large employer: the filter choices (persons, codes)', () =>
    history.choices(employer, {}),
  );
  console.log(`  (${String(choices.persons.length)} persons in the list)`);
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  await timed('large employer: CSV export of every row', () =>
    history.exportCsv(employer, {}, sink, { headers: ['a'], t: (key) => key }),
  );
  console.log(`  (${(bytes / 1_000_000).toFixed(1)} MB)`);
}

runScript(() => withScratchDatabase('portal_bench_audit', measure, { min: 1, max: 2 }));
