import type { Knex } from 'knex';
import type { TestApp } from '../helpers/app';
import { insertCode, insertEmployer, insertPerson, personalIdentityNumber, serviceId } from '../db/fixtures';

/** A new API client made by the same service the command line calls; its bearer token. */
export async function newClientToken(testApp: TestApp, name: string): Promise<string> {
  const result = await testApp.services.apiClients.create(name, { type: 'system', requestId: undefined });
  if (result.outcome !== 'created') throw new Error(`API client ${name} not created`);
  return result.secret;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export function evaluation(subjectId: string, serviceKey: string, employerCode: string) {
  return {
    subject: { type: 'person', id: subjectId },
    action: { name: 'use' },
    resource: { type: 'service', id: serviceKey, properties: { employer_code: employerCode } },
  };
}

export interface Person {
  id: string;
  number: string;
}

export async function person(db: Knex): Promise<Person> {
  const number = personalIdentityNumber();
  const row = await insertPerson(db, { personal_identity_number: number });
  return { id: row.id, number };
}

/** An employer with an active and an inactive (closed) code. */
export async function employerWithCodes(db: Knex): Promise<{ active: Code; closed: Code }> {
  const employer = await insertEmployer(db);
  const active = await insertCode(db, employer.id);
  const closed = await insertCode(db, employer.id, { active: false, closed_on: '2019-12-31' });
  const code = async (id: string): Promise<Code> => {
    const row = await db('employer_codes').where({ id }).first<{ code: string } | undefined>('code');
    if (!row) throw new Error('no code');
    return { id, code: row.code };
  };
  return { active: await code(active.id), closed: await code(closed.id) };
}

export interface Code {
  id: string;
  code: string;
}

/** A grant as imported from the old records (no grantor needed), current unless `values` say otherwise. */
export async function grant(
  db: Knex,
  to: Person,
  code: Code,
  serviceKey: string,
  values: { granted_at?: Date; expires_at?: Date; revoked_at?: Date } = {},
): Promise<void> {
  await db('permissions').insert({
    person_id: to.id,
    employer_code_id: code.id,
    service_id: await serviceId(db, serviceKey),
    source: 'import',
    granted_at: values.granted_at ?? new Date(Date.now() - 86_400_000),
    ...values,
  });
}
