import type { Knex } from 'knex';

/**
 * The audit trail, append-only: a trigger refuses UPDATE, DELETE and TRUNCATE whatever the code path. API clients
 * come first because they can be actors.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table api_clients (
      id uuid primary key default gen_random_uuid(),
      name text not null constraint api_clients_name_check check (name = btrim(name) and name <> ''),
      client_id text not null
        constraint api_clients_client_id_key unique
        constraint api_clients_client_id_check check (client_id ~ '^[A-Za-z0-9._-]+$'),
      secret_hash text not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      constraint api_clients_revoked_after_created_check check (revoked_at >= created_at)
    );

    comment on table api_clients is 'Self-service services that ask the portal whether a person has a permission.';

    create table audit_log (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null default now(),
      actor_type text not null
        constraint audit_log_actor_type_check check (actor_type in ('person', 'system', 'api_client', 'import')),
      actor_person_id uuid references persons (id),
      actor_api_client_id uuid references api_clients (id),
      actor_role text constraint audit_log_actor_role_check
        check (actor_role in ('staff', 'orderer', 'delegate', 'administrator', 'user')),
      employer_id uuid references employers (id),
      employer_code_id uuid references employer_codes (id),
      action text not null
        constraint audit_log_action_check check (action ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
      subject_type text,
      subject_id text,
      before jsonb,
      after jsonb,
      request_id text,
      constraint audit_log_person_actor_check check (actor_type <> 'person' or actor_person_id is not null),
      constraint audit_log_api_client_actor_check check (actor_type <> 'api_client' or actor_api_client_id is not null)
    );

    comment on table audit_log is 'Every change: who, in which role, for which employer, what it was before and after.';
    comment on column audit_log.action is 'Dotted lower case, subject first: permission.granted, administrator.appointed.';

    create index audit_log_employer_id_idx on audit_log (employer_id, occurred_at desc);
    create index audit_log_employer_code_id_idx on audit_log (employer_code_id, occurred_at desc);
    create index audit_log_actor_person_id_idx on audit_log (actor_person_id, occurred_at desc);
    create index audit_log_subject_idx on audit_log (subject_type, subject_id, occurred_at desc);
    create index audit_log_occurred_at_idx on audit_log (occurred_at desc);

    create function audit_log_refuse_change() returns trigger
    language plpgsql
    as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op
        using hint = 'Record a new audit entry instead of changing or removing one.';
    end;
    $$;

    create trigger audit_log_refuse_update_delete before update or delete on audit_log
      for each row execute function audit_log_refuse_change();
    create trigger audit_log_refuse_truncate before truncate on audit_log
      for each statement execute function audit_log_refuse_change();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger audit_log_refuse_truncate on audit_log;
    drop trigger audit_log_refuse_update_delete on audit_log;
    drop function audit_log_refuse_change();
    drop table audit_log;
    drop table api_clients;
  `);
}
