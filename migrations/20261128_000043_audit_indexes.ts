import type { Knex } from 'knex';

/**
 * The audit pages read the log newest first by (occurred_at, id), scoped to an employer, a code or the person a row
 * is about. The person a row is about is the subject when the subject is a person, otherwise the `personId` in its
 * after or before data (permissions, role assignments); src/audit/repository.ts uses the same expression.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index audit_log_subject_person_idx on audit_log (
      (coalesce(case when subject_type = 'person' then subject_id end, after ->> 'personId', before ->> 'personId')),
      occurred_at desc,
      id desc
    );
    create index audit_log_employer_keyset_idx on audit_log (employer_id, occurred_at desc, id desc);
    create index audit_log_employer_code_keyset_idx on audit_log (employer_code_id, occurred_at desc, id desc);
    create index audit_log_keyset_idx on audit_log (occurred_at desc, id desc);
    drop index audit_log_employer_id_idx;
    drop index audit_log_employer_code_id_idx;
    drop index audit_log_occurred_at_idx;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create index audit_log_employer_id_idx on audit_log (employer_id, occurred_at desc);
    create index audit_log_employer_code_id_idx on audit_log (employer_code_id, occurred_at desc);
    create index audit_log_occurred_at_idx on audit_log (occurred_at desc);
    drop index audit_log_keyset_idx;
    drop index audit_log_employer_code_keyset_idx;
    drop index audit_log_employer_keyset_idx;
    drop index audit_log_subject_person_idx;
  `);
}
