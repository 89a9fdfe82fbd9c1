import type { Knex } from 'knex';
import { DEMO_PERSONS } from '../../src/demo/data';
import type { AdminScope } from '../../src/permissions/service';

/** Demo persons by key (src/demo/data.ts). */
export const PIN = Object.fromEntries(DEMO_PERSONS.map((person) => [person.key, person.personalIdentityNumber]));

export interface DemoIds {
  employerId: string;
  person: (key: string) => string;
  code: (code: string) => string;
  service: (key: string) => string;
}

/** The ids of the demo rows, looked up once. */
export async function demoIds(db: Knex): Promise<DemoIds> {
  const persons = await db('persons').select<{ id: string; personal_identity_number: string }[]>(
    'id',
    'personal_identity_number',
  );
  const codes = await db('employer_codes').select<{ id: string; code: string; employer_id: string }[]>(
    'id',
    'code',
    'employer_id',
  );
  const services = await db('services').select<{ id: string; key: string }[]>('id', 'key');
  const find = <T>(rows: T[], match: (row: T) => boolean, what: string): T => {
    const row = rows.find(match);
    if (!row) throw new Error(`no ${what}`);
    return row;
  };
  return {
    employerId: find(codes, (row) => row.code === '40101', 'employer').employer_id,
    person: (key) => find(persons, (row) => row.personal_identity_number === PIN[key], key).id,
    code: (code) => find(codes, (row) => row.code === code, code).id,
    service: (key) => find(services, (row) => row.key === key, key).id,
  };
}

export function scopeFor(ids: DemoIds, key: string, role: 'administrator' | 'orderer' | 'delegate'): AdminScope {
  return {
    employerId: ids.employerId,
    actor: { type: 'person', personId: ids.person(key), role, requestId: undefined },
  };
}

/** Counts of what a change leaves behind (audit rows of changes: a refusal is audited too, but changes nothing). */
export async function counts(db: Knex): Promise<{ audit: number; outbox: number; permissions: number }> {
  const count = async (table: string) => Number((await db(table).count<{ count: number }[]>('* as count'))[0]?.count);
  const [audit] = await db('audit_log').whereNot('action', 'like', 'access.%').count<{ count: number }[]>('* as count');
  return { audit: Number(audit?.count), outbox: await count('outbox'), permissions: await count('permissions') };
}

/** Adds `count` users with one permission each on the code, in one statement (names sort after the demo users). */
export async function addUsers(
  db: Knex,
  options: { count: number; codeId: string; serviceId: string; grantedBy: string; prefix?: string; start?: number },
): Promise<void> {
  const start = options.start ?? 0;
  await db.raw(
    `with made as (
       insert into persons (personal_identity_number, display_name, email)
       select n.pin, :prefix || ' ' || lpad(n.i::text, 5, '0'), 'user' || n.i || '@example.org'
         from (select i, pin_for(i) as pin from generate_series(cast(:first as int), cast(:last as int)) as i) n
       returning id)
     insert into permissions (person_id, employer_code_id, service_id, granted_by_person_id)
     select id, :codeId, :serviceId, :grantedBy from made`,
    {
      prefix: options.prefix ?? 'Zeta',
      first: start,
      last: start + options.count - 1,
      codeId: options.codeId,
      serviceId: options.serviceId,
      grantedBy: options.grantedBy,
    },
  );
}

/**
 * A valid 12-digit number per i: born 1950-01-01 plus i days' worth of serial numbers (1000 a day), Luhn digit last.
 * Installed as a SQL function so that thousands of persons can be made in one statement.
 */
export async function installPinFunction(db: Knex): Promise<void> {
  await db.raw(`
    create or replace function pin_for(i integer) returns text language sql immutable as $$
      select d || (select (10 - (sum(case when k % 2 = 1 then (case when x * 2 > 9 then x * 2 - 9 else x * 2 end) else x end) % 10)) % 10
                     from (select k, substr(substr(d, 3), k, 1)::int as x from generate_series(1, 9) k) digits)::text
        from (select to_char(date '1950-01-01' + (i / 900), 'YYYYMMDD') || lpad((100 + i % 900)::text, 3, '0') as d) base
    $$`);
}
