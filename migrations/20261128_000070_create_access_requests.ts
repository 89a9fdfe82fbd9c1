import type { Knex } from 'knex';

/**
 * Access requests: a user asks for services on employer codes; an administrator of the code approves (the permission
 * is granted) or rejects. One row per code and service asked for, so each is decided, and refused as a duplicate, on
 * its own; `batch_id` groups the rows submitted together. At most one pending row per person, code and service.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table access_requests (
      id uuid primary key default gen_random_uuid(),
      batch_id uuid not null,
      person_id uuid not null references persons (id),
      employer_id uuid not null references employers (id),
      employer_code_id uuid not null,
      service_id uuid not null references services (id),
      reason text not null constraint access_requests_reason_check check (char_length(reason) between 1 and 500),
      status text not null default 'pending'
        constraint access_requests_status_check check (status in ('pending', 'approved', 'rejected', 'expired')),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      decided_by_person_id uuid references persons (id),
      decided_at timestamptz,
      rejection_reason text,
      constraint access_requests_employer_code_fkey foreign key (employer_code_id, employer_id)
        references employer_codes (id, employer_id),
      constraint access_requests_expires_check check (expires_at > created_at),
      constraint access_requests_decided_check check ((status = 'pending') = (decided_at is null)),
      constraint access_requests_rejection_check check ((status = 'rejected') = (rejection_reason is not null))
    );
    comment on table access_requests is 'A user''s request for one service on one employer code, and its decision.';
    create unique index access_requests_one_pending_idx on access_requests (person_id, employer_code_id, service_id)
      where status = 'pending';
    create index access_requests_code_pending_idx on access_requests (employer_code_id) where status = 'pending';
    create index access_requests_person_idx on access_requests (person_id, created_at);
    create index access_requests_expiring_idx on access_requests (expires_at) where status = 'pending';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table access_requests');
}
