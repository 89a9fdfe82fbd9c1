import type { Knex } from 'knex';

/**
 * The import from the agency's old records (`npm run cli -- import`): each person's last login there, a log of the
 * runs, and an UNLOGGED staging table the file is copied into before it is checked and applied set-based. The
 * staging table holds rows only while a run lasts (the run empties it), so losing it in a crash loses nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table persons add column legacy_last_login_at timestamptz;

    comment on column persons.legacy_last_login_at is
      'Last login in the agency''s old records (from the import); the later of this and last_login_at counts.';

    create table import_runs (
      id uuid primary key default gen_random_uuid(),
      file_name text not null,
      checksum text not null constraint import_runs_checksum_check check (checksum ~ '^[0-9a-f]{64}$'),
      mode text not null constraint import_runs_mode_check check (mode in ('dry-run', 'apply')),
      started_at timestamptz not null,
      finished_at timestamptz,
      outcome text constraint import_runs_outcome_check check (outcome in ('checked', 'refused', 'imported')),
      counts jsonb,
      constraint import_runs_finished_check check ((finished_at is null) = (outcome is null)),
      constraint import_runs_finished_after_started_check check (finished_at >= started_at)
    );

    comment on table import_runs is
      'Every import run: the file''s name and SHA-256, dry run or apply, and what it found or did. Unfinished while finished_at is null.';

    create index import_runs_checksum_idx on import_runs (checksum, started_at);

    create unlogged table import_rows (
      line integer not null,
      organisation_number text not null,
      employer_name text not null,
      employer_code text not null,
      employer_code_active boolean not null,
      personal_identity_number text not null,
      name text not null,
      email text,
      service_key text not null,
      last_login_at timestamptz
    );

    comment on table import_rows is
      'Staging for one import run: the file''s rows that passed the checks of a single row, normalised. Emptied by the run.';

    create index import_rows_person_idx on import_rows (personal_identity_number);

    -- "has this person ever had this permission on this code": the import never recreates one that was removed
    create index permissions_person_code_service_idx on permissions (person_id, employer_code_id, service_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index permissions_person_code_service_idx;
    drop table import_rows;
    drop table import_runs;
    alter table persons drop column legacy_last_login_at;
  `);
}
