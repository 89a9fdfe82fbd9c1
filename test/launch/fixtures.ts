import type { Knex } from 'knex';
import { insertActiveApplication, insertCode, insertEmployer, insertPerson, serviceId } from '../db/fixtures';

/** Demo persons: Karin Lindqvist is agency staff; Anna Bergström, the demo employer's orderer, is not. */
export const STAFF_PIN = '191212112427';
export const ORDERER_PIN = '191212102824';

const LONG_AGO = new Date('2020-01-01T00:00:00Z');
const LATER = new Date('2021-01-01T00:00:00Z');

export type OrdererState = 'active' | 'revoked' | 'expired' | 'none';

/** An employer with a registry address (or none) and an orderer in the given state. */
export async function employerWith(
  db: Knex,
  name: string,
  options: { registryEmail: string | null; orderer: OrdererState },
): Promise<string> {
  const employer = await insertEmployer(db, { name, registry_email: options.registryEmail });
  if (options.orderer === 'none') return employer.id;
  const application = await insertActiveApplication(db, employer.id);
  const person = await insertPerson(db, { display_name: `Beställare för ${name}`, email: 'bestallare@example.se' });
  await db('role_assignments').insert({
    person_id: person.id,
    employer_id: employer.id,
    role: 'orderer',
    application_id: application.id,
    appointed_at: LONG_AGO,
    valid_until: options.orderer === 'expired' ? LATER : null,
    revoked_at: options.orderer === 'revoked' ? LATER : null,
  });
  return employer.id;
}

/**
 * The letter's fixture: beside the demo employer (registry address, active orderer), one employer of each kind.
 * Reachable without an active orderer: B, C (revoked), D (expired). Unreachable: E (no orderer), F (orderer).
 */
export async function letterEmployers(db: Knex) {
  return {
    a: await employerWith(db, 'A-verket', { registryEmail: 'registrator@a.example', orderer: 'active' }),
    b: await employerWith(db, 'B-verket', { registryEmail: 'registrator@b.example', orderer: 'none' }),
    c: await employerWith(db, 'C-verket', { registryEmail: 'registrator@c.example', orderer: 'revoked' }),
    d: await employerWith(db, 'D-verket', { registryEmail: 'registrator@d.example', orderer: 'expired' }),
    e: await employerWith(db, 'E-verket', { registryEmail: null, orderer: 'none' }),
    f: await employerWith(db, 'F-verket', { registryEmail: null, orderer: 'active' }),
  };
}

export type AdministratorState = 'current' | 'revoked' | 'expired' | 'none';

/** An employer code with an administrator in the given state. */
export async function codeWith(
  db: Knex,
  employerId: string,
  options: { active: boolean; administrator: AdministratorState },
): Promise<string> {
  const code = await insertCode(db, employerId, options.active ? {} : { active: false, closed_on: '2019-12-31' });
  if (options.administrator === 'none') return code.id;
  const person = await insertPerson(db);
  await db('role_assignments').insert({
    person_id: person.id,
    employer_id: employerId,
    employer_code_id: code.id,
    role: 'administrator',
    appointed_at: LONG_AGO,
    valid_until: options.administrator === 'expired' ? LATER : null,
    revoked_at: options.administrator === 'revoked' ? LATER : null,
  });
  return code.id;
}

/** A permission from the old records (or granted in the portal), current or revoked. */
export async function grant(
  db: Knex,
  personId: string,
  employerCodeId: string,
  options: { source: 'import' | 'portal'; service?: string; grantedAt: Date; revokedAt?: Date; grantedBy?: string },
): Promise<void> {
  await db('permissions').insert({
    person_id: personId,
    employer_code_id: employerCodeId,
    service_id: await serviceId(db, options.service ?? 'rapport-direkt'),
    source: options.source,
    granted_at: options.grantedAt,
    granted_by_person_id: options.grantedBy ?? null,
    revoked_at: options.revokedAt ?? null,
  });
}

/** An audit row about a person on a code, by a person in a role, at a time. */
export async function auditAbout(
  db: Knex,
  subjectId: string,
  employerCodeId: string,
  options: { actorId: string; role: 'staff' | 'orderer' | 'delegate' | 'administrator' | 'user'; at: Date },
): Promise<void> {
  await db('audit_log').insert({
    occurred_at: options.at,
    actor_type: 'person',
    actor_person_id: options.actorId,
    actor_role: options.role,
    employer_code_id: employerCodeId,
    action: 'permission.revoked',
    subject_type: 'person',
    subject_id: subjectId,
  });
}
