import type { Knex } from 'knex';
import { normaliseOrganisationNumber } from '../domain/identity-numbers';
import type { EmployerCodeInput, EmployerInput } from './schemas';

export interface EmployerRow {
  id: string;
  organisation_number: string;
  name: string;
  registry_email: string | null;
}

export interface EmployerListRow extends EmployerRow {
  /** The employer's codes, comma separated, in order. */
  codes: string | null;
}

export interface EmployerCodeRow {
  id: string;
  employer_id: string;
  code: string;
  name: string;
  active: boolean;
  /** YYYY-MM-DD */
  closed_on: string | null;
}

/** A person in a role at the employer, with contact details; the identity number masked in the query itself. */
export interface RoleHolderRow {
  assignment_id: string;
  employer_code_id: string | null;
  display_name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  masked_personal_identity_number: string;
  appointed_at: Date;
  revoked_at: Date | null;
}

const EMPLOYER_COLUMNS = ['e.id', 'e.organisation_number', 'e.name', 'e.registry_email'] as const;

function codeColumns(db: Knex) {
  return [
    'c.id',
    'c.employer_id',
    'c.code',
    'c.name',
    'c.active',
    db.raw("to_char(c.closed_on, 'YYYY-MM-DD') as closed_on"),
  ] as const;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Matches the employer by organisation number (whole or its first digits), a part of its name, or a code's start. */
function matching(db: Knex, query: Knex.QueryBuilder, text: string): Knex.QueryBuilder {
  if (text === '') return query;
  const lower = text.toLowerCase();
  const organisationNumber = normaliseOrganisationNumber(text);
  const digits = text.replace(/[\s-]/g, '');
  return query.where((where) => {
    void where.whereRaw('lower(e.name) like ?', [`%${escapeLike(lower)}%`]).orWhereExists(
      db('employer_codes as sc')
        .whereRaw('sc.employer_id = e.id')
        .andWhereRaw('lower(sc.code) like ?', [`${escapeLike(lower)}%`]),
    );
    if (organisationNumber) void where.orWhere('e.organisation_number', organisationNumber);
    else if (/^[0-9]{2,10}$/.test(digits)) void where.orWhere('e.organisation_number', 'like', `${digits}%`);
  });
}

export async function searchEmployers(
  db: Knex,
  text: string,
  page: { limit: number; offset: number },
): Promise<{ rows: EmployerListRow[]; total: number }> {
  const [count] = await matching(db, db('employers as e'), text).count<{ count: number }[]>({ count: '*' });
  const rows = await matching(db, db('employers as e'), text)
    .select<EmployerListRow[]>(
      ...EMPLOYER_COLUMNS,
      db.raw(
        "(select string_agg(lc.code, ', ' order by lc.code) from employer_codes lc where lc.employer_id = e.id) as codes",
      ),
    )
    .orderBy([{ column: 'e.name' }, { column: 'e.organisation_number' }])
    .limit(page.limit)
    .offset(page.offset);
  return { rows, total: count?.count ?? 0 };
}

export function findEmployer(db: Knex, id: string, options: { lock?: boolean } = {}): Promise<EmployerRow | undefined> {
  const query = db('employers as e')
    .where('e.id', id)
    .first<EmployerRow | undefined>(...EMPLOYER_COLUMNS);
  return options.lock ? query.forUpdate() : query;
}

export function findEmployerIdByOrganisationNumber(db: Knex, organisationNumber: string): Promise<string | undefined> {
  return db('employers')
    .where({ organisation_number: organisationNumber })
    .first<{ id: string } | undefined>('id')
    .then((row) => row?.id);
}

export async function insertEmployer(db: Knex, input: EmployerInput, at: Date): Promise<EmployerRow> {
  const [row] = await db('employers')
    .insert({
      organisation_number: input.organisationNumber,
      name: input.name,
      registry_email: input.registryEmail,
      created_at: at,
      updated_at: at,
    })
    .returning<EmployerRow[]>(['id', 'organisation_number', 'name', 'registry_email']);
  if (!row) throw new Error('employer insert returned no row');
  return row;
}

export async function updateEmployer(db: Knex, id: string, input: EmployerInput, at: Date): Promise<void> {
  await db('employers').where({ id }).update({
    organisation_number: input.organisationNumber,
    name: input.name,
    registry_email: input.registryEmail,
    updated_at: at,
  });
}

export function listCodes(db: Knex, employerId: string): Promise<EmployerCodeRow[]> {
  return db('employer_codes as c')
    .where('c.employer_id', employerId)
    .orderBy('c.code')
    .select<EmployerCodeRow[]>(...codeColumns(db));
}

export function findCode(
  db: Knex,
  employerId: string,
  codeId: string,
  options: { lock?: boolean } = {},
): Promise<EmployerCodeRow | undefined> {
  const query = db('employer_codes as c')
    .where({ 'c.id': codeId, 'c.employer_id': employerId })
    .first<EmployerCodeRow | undefined>(...codeColumns(db));
  return options.lock ? query.forUpdate() : query;
}

export function findCodeIdByCode(db: Knex, code: string): Promise<string | undefined> {
  return db('employer_codes')
    .where({ code })
    .first<{ id: string } | undefined>('id')
    .then((row) => row?.id);
}

export async function insertCode(
  db: Knex,
  employerId: string,
  input: EmployerCodeInput,
  at: Date,
): Promise<EmployerCodeRow> {
  const [row] = await db('employer_codes')
    .insert({
      employer_id: employerId,
      code: input.code,
      name: input.name,
      active: input.active,
      closed_on: input.closedOn,
      created_at: at,
      updated_at: at,
    })
    .returning<{ id: string }[]>(['id']);
  if (!row) throw new Error('employer code insert returned no row');
  const inserted = await findCode(db, employerId, row.id);
  if (!inserted) throw new Error('employer code vanished after insert');
  return inserted;
}

export async function updateCode(db: Knex, codeId: string, input: EmployerCodeInput, at: Date): Promise<void> {
  await db('employer_codes').where({ id: codeId }).update({
    code: input.code,
    name: input.name,
    active: input.active,
    closed_on: input.closedOn,
    updated_at: at,
  });
}

function roleHolders(db: Knex, employerId: string, role: 'orderer' | 'delegate' | 'administrator') {
  return db('role_assignments as r')
    .join('persons as p', 'p.id', 'r.person_id')
    .leftJoin('orderer_applications as a', 'a.id', 'r.application_id')
    .where({ 'r.employer_id': employerId, 'r.role': role })
    .select<RoleHolderRow[]>(
      'r.id as assignment_id',
      'r.employer_code_id',
      'p.display_name',
      db.raw(role === 'orderer' ? 'a.title' : 'null::text as title'),
      // the application's contact details stand in until the person's own are known
      db.raw(role === 'orderer' ? 'coalesce(p.email, a.email) as email' : 'p.email'),
      db.raw(role === 'orderer' ? 'coalesce(p.phone, a.phone) as phone' : 'p.phone'),
      db.raw("substr(p.personal_identity_number, 1, 8) || '-****' as masked_personal_identity_number"),
      'r.appointed_at',
      'r.revoked_at',
    );
}

/** Every orderer the employer has had, current and replaced, newest first. */
export function orderers(db: Knex, employerId: string): Promise<RoleHolderRow[]> {
  return roleHolders(db, employerId, 'orderer').orderBy('r.appointed_at', 'desc');
}

function current(query: Knex.QueryBuilder, at: Date): Knex.QueryBuilder {
  return query.whereNull('r.revoked_at').where((where) => {
    void where.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
  });
}

/** The current delegates of the handling. */
export function currentDelegates(db: Knex, employerId: string, at: Date): Promise<RoleHolderRow[]> {
  return current(roleHolders(db, employerId, 'delegate'), at).orderBy('p.display_name') as Promise<RoleHolderRow[]>;
}

/** The current administrators, one row per code administered. */
export function currentAdministrators(db: Knex, employerId: string, at: Date): Promise<RoleHolderRow[]> {
  return current(roleHolders(db, employerId, 'administrator'), at).orderBy('p.display_name') as Promise<
    RoleHolderRow[]
  >;
}
