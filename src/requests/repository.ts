import type { Knex } from 'knex';

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface RequestRow {
  id: string;
  batch_id: string;
  person_id: string;
  employer_id: string;
  employer_code_id: string;
  service_id: string;
  reason: string;
  status: RequestStatus;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  rejection_reason: string | null;
}

/** A request with what the pages and emails show. */
export interface RequestView extends RequestRow {
  code: string;
  code_name: string;
  service_key: string;
  service_name: string;
  person_name: string;
  employer_name: string;
}

const VIEW_COLUMNS = [
  'ar.*',
  'c.code',
  'c.name as code_name',
  's.key as service_key',
  's.name as service_name',
  'p.display_name as person_name',
  'e.name as employer_name',
];

function viewQuery(db: Knex) {
  return db('access_requests as ar')
    .join('employer_codes as c', 'c.id', 'ar.employer_code_id')
    .join('services as s', 's.id', 'ar.service_id')
    .join('persons as p', 'p.id', 'ar.person_id')
    .join('employers as e', 'e.id', 'ar.employer_id');
}

export function requestsOf(db: Knex, personId: string, employerId: string): Promise<RequestView[]> {
  return viewQuery(db)
    .where({ 'ar.person_id': personId, 'ar.employer_id': employerId })
    .orderBy([{ column: 'ar.created_at', order: 'desc' }, 'c.code', 's.sort_order'])
    .select<RequestView[]>(VIEW_COLUMNS);
}

/** Pending requests on the codes, not yet expired at `at`. */
export function pendingOn(db: Knex, codeIds: readonly string[], at: Date): Promise<RequestView[]> {
  return viewQuery(db)
    .whereIn('ar.employer_code_id', codeIds)
    .where('ar.status', 'pending')
    .where('ar.expires_at', '>', at)
    .orderBy(['ar.created_at', 'c.code', 's.sort_order'])
    .select<RequestView[]>(VIEW_COLUMNS);
}

export function findView(db: Knex, id: string): Promise<RequestView | undefined> {
  return viewQuery(db).where('ar.id', id).first<RequestView | undefined>(VIEW_COLUMNS);
}

/** Locks the request row: two administrators deciding at once wait for each other, and the second sees the first. */
export function lockRequest(trx: Knex.Transaction, id: string): Promise<RequestRow | undefined> {
  return trx('access_requests').where({ id }).forUpdate().first<RequestRow | undefined>('*');
}

export async function decide(
  trx: Knex.Transaction,
  id: string,
  decision: { status: RequestStatus; decidedBy: string | null; at: Date; rejectionReason?: string },
): Promise<void> {
  await trx('access_requests')
    .where({ id, status: 'pending' })
    .update({
      status: decision.status,
      decided_by_person_id: decision.decidedBy,
      decided_at: decision.at,
      rejection_reason: decision.rejectionReason ?? null,
    });
}

/** Marks every pending request past its time expired; gives the rows marked (locked, skipping those being decided). */
export async function expireDue(trx: Knex.Transaction, at: Date): Promise<RequestRow[]> {
  const due = await trx('access_requests')
    .where('status', 'pending')
    .where('expires_at', '<=', at)
    .forUpdate()
    .skipLocked()
    .select<{ id: string }[]>('id');
  if (due.length === 0) return [];
  return trx('access_requests')
    .whereIn(
      'id',
      due.map((row) => row.id),
    )
    .update({ status: 'expired', decided_at: at })
    .returning<RequestRow[]>('*');
}

/** The active codes of the employer, and the persons' current grants and pending requests on them. */
export function activeCodes(db: Knex, employerId: string): Promise<{ id: string; code: string; name: string }[]> {
  return db('employer_codes')
    .where({ employer_id: employerId, active: true })
    .orderBy('code')
    .select('id', 'code', 'name');
}

export function activeServices(db: Knex): Promise<{ id: string; key: string; name: string }[]> {
  return db('services').where({ active: true }).orderBy(['sort_order', 'key']).select('id', 'key', 'name');
}

export function currentGrantKeys(db: Knex, personId: string, at: Date): Promise<string[]> {
  return db('permissions')
    .where('person_id', personId)
    .whereNull('revoked_at')
    .where((query) => {
      void query.whereNull('expires_at').orWhere('expires_at', '>', at);
    })
    .select<{ key: string }[]>(db.raw("employer_code_id || ':' || service_id as key"))
    .then((rows) => rows.map((row) => row.key));
}

export function pendingKeys(db: Knex, personId: string, at: Date): Promise<string[]> {
  return db('access_requests')
    .where({ person_id: personId, status: 'pending' })
    .where('expires_at', '>', at)
    .select<{ key: string }[]>(db.raw("employer_code_id || ':' || service_id as key"))
    .then((rows) => rows.map((row) => row.key));
}

export interface Recipient {
  id: string;
  email: string;
  display_name: string;
  preferred_language: 'sv' | 'en';
  code_ids: string[];
}

/**
 * Who is told of a new request: the administrators of each code; for a code without one, the orderer and delegates
 * (they administer every code). Only persons with an address; never the requester.
 */
export async function administratorsOf(
  db: Knex,
  employerId: string,
  codeIds: readonly string[],
  requesterId: string,
  at: Date,
): Promise<Recipient[]> {
  const result = await db.raw<{ rows: Recipient[] }>(
    `with current_roles as (
       select * from role_assignments
        where employer_id = :employerId and revoked_at is null and (valid_until is null or valid_until > :at)
     ),
     targets as (
       select r.person_id, c.id as code_id
         from unnest(cast(:codeIds as uuid[])) as c(id)
         join current_roles r on r.role = 'administrator' and r.employer_code_id = c.id
       union
       select r.person_id, c.id
         from unnest(cast(:codeIds as uuid[])) as c(id)
         join current_roles r on r.role in ('orderer', 'delegate')
        where not exists (select 1 from current_roles a where a.role = 'administrator' and a.employer_code_id = c.id)
     )
     select p.id, p.email, p.display_name, p.preferred_language, array_agg(distinct t.code_id) as code_ids
       from targets t join persons p on p.id = t.person_id
      where p.email is not null and p.id <> :requesterId
      group by p.id
      order by p.display_name`,
    { employerId, at, codeIds: [...codeIds], requesterId },
  );
  return result.rows;
}
