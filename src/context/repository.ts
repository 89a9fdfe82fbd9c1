import type { Knex } from 'knex';
import type { EmployerChoice, EmployerContext } from './types';

/** Assignments in force at `at`: not revoked, and not past their end date. */
function currentAssignments(db: Knex, at: Date) {
  return db('role_assignments as r')
    .whereNull('r.revoked_at')
    .where((query) => {
      void query.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
    });
}

function currentPermissions(db: Knex, at: Date) {
  return db('permissions as p')
    .whereNull('p.revoked_at')
    .where((query) => {
      void query.whereNull('p.expires_at').orWhere('p.expires_at', '>', at);
    });
}

/** Every employer where the person holds a role or a permission, by name. */
export async function employersOf(db: Knex, personId: string, at: Date): Promise<EmployerChoice[]> {
  const viaRoles = currentAssignments(db, at).where('r.person_id', personId).select('r.employer_id as employer_id');
  const viaPermissions = currentPermissions(db, at)
    .join('employer_codes as c', 'c.id', 'p.employer_code_id')
    .where('p.person_id', personId)
    .select('c.employer_id as employer_id');
  return db('employers as e')
    .whereIn('e.id', viaRoles.union(viaPermissions))
    .orderBy('e.name')
    .select({ id: 'e.id', name: 'e.name', organisationNumber: 'e.organisation_number' });
}

/** What the person may do at the employer, or null when they hold nothing there. */
export async function contextAt(
  db: Knex,
  personId: string,
  employerId: string,
  at: Date,
): Promise<EmployerContext | null> {
  const employer = await db('employers')
    .where({ id: employerId })
    .first<EmployerChoice | undefined>({ id: 'id', name: 'name', organisationNumber: 'organisation_number' });
  if (!employer) return null;
  const [assignments, userCodes] = await Promise.all([
    currentAssignments(db, at)
      .where({ 'r.person_id': personId, 'r.employer_id': employerId })
      .select<{ role: string; employer_code_id: string | null }[]>('r.role', 'r.employer_code_id'),
    currentPermissions(db, at)
      .join('employer_codes as c', 'c.id', 'p.employer_code_id')
      .where({ 'p.person_id': personId, 'c.employer_id': employerId })
      .distinct<{ id: string }[]>('c.id as id'),
  ]);
  const orderer = assignments.some((row) => row.role === 'orderer');
  const delegate = assignments.some((row) => row.role === 'delegate');
  if (assignments.length === 0 && userCodes.length === 0) return null;
  const administratorCodeIds =
    orderer || delegate
      ? (
          await db('employer_codes').where({ employer_id: employerId }).orderBy('code').select<{ id: string }[]>('id')
        ).map((row) => row.id)
      : assignments.flatMap((row) =>
          row.role === 'administrator' && row.employer_code_id ? [row.employer_code_id] : [],
        );
  return {
    employer,
    roles: { orderer, delegate, administratorCodeIds, userCodeIds: userCodes.map((row) => row.id) },
  };
}

export interface ServiceRow {
  code: string;
  code_name: string;
  code_active: boolean;
  service_key: string;
  service_name: string;
  expires_at: Date | null;
}

/** The services the person may use at the employer, per code. */
export function servicesOf(db: Knex, personId: string, employerId: string, at: Date): Promise<ServiceRow[]> {
  return currentPermissions(db, at)
    .join('employer_codes as c', 'c.id', 'p.employer_code_id')
    .join('services as s', 's.id', 'p.service_id')
    .where({ 'p.person_id': personId, 'c.employer_id': employerId })
    .orderBy(['c.code', 's.sort_order'])
    .select({
      code: 'c.code',
      code_name: 'c.name',
      code_active: 'c.active',
      service_key: 's.key',
      service_name: 's.name',
      expires_at: 'p.expires_at',
    });
}

export interface ContactRow {
  role: 'orderer' | 'delegate' | 'administrator';
  name: string;
  email: string | null;
  phone: string | null;
  code: string | null;
}

/** Whom to ask: the employer's orderer, delegates and administrators (with their codes), with contact details. */
export function contactsOf(db: Knex, employerId: string, at: Date): Promise<ContactRow[]> {
  return currentAssignments(db, at)
    .join('persons as person', 'person.id', 'r.person_id')
    .leftJoin('employer_codes as c', 'c.id', 'r.employer_code_id')
    .where('r.employer_id', employerId)
    .orderByRaw("case r.role when 'orderer' then 1 when 'delegate' then 2 else 3 end")
    .orderBy(['person.display_name', 'c.code'])
    .select({
      role: 'r.role',
      name: 'person.display_name',
      email: 'person.email',
      phone: 'person.phone',
      code: 'c.code',
    });
}
