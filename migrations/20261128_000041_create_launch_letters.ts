import type { Knex } from 'knex';

/**
 * The launch letter: one row per employer and sending, with the address it went to. `submission_id` is the form's
 * own key, so a double submit of the same form can never send twice (the pair is unique). The partial index on
 * imported permissions serves the launch dashboard's count of imported users.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table launch_letters (
      id uuid primary key default gen_random_uuid(),
      submission_id uuid not null,
      employer_id uuid not null references employers (id),
      recipient_email text not null
        constraint launch_letters_recipient_email_check check (recipient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      audience text not null constraint launch_letters_audience_check check (audience in ('all', 'without_orderer')),
      resent boolean not null,
      sent_by_person_id uuid not null references staff (person_id),
      sent_at timestamptz not null,
      constraint launch_letters_submission_employer_key unique (submission_id, employer_id)
    );

    comment on table launch_letters is
      'The launch letter sent to an employer''s registry address: who sent it when, to which address, first or again.';

    create index launch_letters_employer_id_idx on launch_letters (employer_id, sent_at desc);
    create index permissions_imported_idx on permissions (employer_code_id, person_id, granted_at)
      where source = 'import';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index permissions_imported_idx;
    drop table launch_letters;
  `);
}
