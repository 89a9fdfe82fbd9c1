import type { Knex } from 'knex';

/**
 * A signature with e-ID in progress: what is to be signed and by whom, kept before the person is sent to the IdP,
 * and the outcome once the IdP answers (the evidence, or why it was refused).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table signature_requests (
      id text primary key,
      purpose text not null constraint signature_requests_purpose_check check (purpose ~ '^[a-z][a-z0-9-]*$'),
      subject_id text not null,
      message text not null constraint signature_requests_message_check check (length(message) between 1 and 4000),
      expected_personal_identity_number char(12) not null
        constraint signature_requests_pnr_check check (personal_identity_number_valid(expected_personal_identity_number)),
      requested_by_person_id uuid not null references persons (id),
      return_path text not null constraint signature_requests_return_path_check check (return_path ~ '^/[^/]'),
      created_at timestamptz not null,
      completed_at timestamptz,
      outcome text constraint signature_requests_outcome_check check (outcome in ('signed', 'refused')),
      refusal_reason text,
      sign_message_digest text,
      assertion_xml text,
      signed_at timestamptz,
      constraint signature_requests_outcome_complete_check check ((outcome is null) = (completed_at is null)),
      constraint signature_requests_signed_evidence_check check (
        outcome is distinct from 'signed' or (sign_message_digest is not null and assertion_xml is not null and signed_at is not null)
      )
    );
    create index signature_requests_subject_idx on signature_requests (purpose, subject_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table signature_requests;`);
}
