import type { Knex } from 'knex';

/**
 * Who made a change: a person in a role (with the request it came in), the system itself (jobs, the command line),
 * a registered API client, or the import from the agency's old records.
 */
export type Actor =
  | {
      type: 'person';
      personId: string;
      role: 'staff' | 'orderer' | 'delegate' | 'administrator' | 'user';
      requestId: string | undefined;
    }
  | { type: 'system'; requestId: string | undefined }
  | { type: 'api_client'; apiClientId: string; requestId: string | undefined }
  | { type: 'import'; requestId: string | undefined };

export interface AuditEntry {
  actor: Actor;
  /** Dotted lower case, subject first: `employer.registered`, `orderer_application.invited`. */
  action: string;
  employerId?: string | null;
  employerCodeId?: string | null;
  subjectType?: string;
  subjectId?: string;
  before?: unknown;
  after?: unknown;
}

/** Rows a statement inserts at most (13 columns each: well within PostgreSQL's 65,535 parameters). */
const ROWS_PER_INSERT = 2_000;

const rowOf = (entry: AuditEntry, at: Date) => ({
  occurred_at: at,
  actor_type: entry.actor.type,
  actor_person_id: entry.actor.type === 'person' ? entry.actor.personId : null,
  actor_api_client_id: entry.actor.type === 'api_client' ? entry.actor.apiClientId : null,
  actor_role: entry.actor.type === 'person' ? entry.actor.role : null,
  employer_id: entry.employerId ?? null,
  employer_code_id: entry.employerCodeId ?? null,
  action: entry.action,
  subject_type: entry.subjectType ?? null,
  subject_id: entry.subjectId ?? null,
  before: entry.before === undefined ? null : JSON.stringify(entry.before),
  after: entry.after === undefined ? null : JSON.stringify(entry.after),
  request_id: entry.actor.requestId ?? null,
});

/**
 * Writes one audit row. Call it with the transaction of the change itself, so that the change and its audit row are
 * committed, or rolled back, together. The table is append-only (a trigger refuses UPDATE and DELETE).
 */
export async function recordAudit(trx: Knex.Transaction, entry: AuditEntry, at: Date): Promise<void> {
  await trx('audit_log').insert(rowOf(entry, at));
}

/** Writes one audit row per entry, in order, a few thousand a statement (the jobs that change many at once). */
export async function recordAudits(trx: Knex.Transaction, entries: readonly AuditEntry[], at: Date): Promise<void> {
  for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
    await trx('audit_log').insert(entries.slice(start, start + ROWS_PER_INSERT).map((entry) => rowOf(entry, at)));
  }
}
