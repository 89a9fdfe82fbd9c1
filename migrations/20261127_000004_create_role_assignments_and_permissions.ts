import type { Knex } from 'knex';

/**
 * Who may do what. A role assignment or permission is current while revoked_at is null and valid_until/expires_at
 * has not passed. The partial unique indexes count every row not revoked (an index cannot read the clock), so a
 * lapsed row is revoked before a new one takes its place.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table role_assignments (
      id uuid primary key default gen_random_uuid(),
      person_id uuid not null references persons (id),
      employer_id uuid not null references employers (id),
      employer_code_id uuid,
      role text not null constraint role_assignments_role_check check (role in ('orderer', 'delegate', 'administrator')),
      application_id uuid,
      appointed_by_person_id uuid references persons (id),
      appointed_at timestamptz not null default now(),
      valid_until timestamptz,
      revoked_at timestamptz,
      revoked_by_person_id uuid references persons (id),
      -- the code, and the application, belong to the same employer as the assignment
      constraint role_assignments_employer_code_fkey foreign key (employer_code_id, employer_id)
        references employer_codes (id, employer_id),
      constraint role_assignments_application_fkey foreign key (application_id, employer_id)
        references orderer_applications (id, employer_id),
      constraint role_assignments_code_only_for_administrator_check
        check ((role = 'administrator') = (employer_code_id is not null)),
      constraint role_assignments_orderer_application_check check (role <> 'orderer' or application_id is not null),
      constraint role_assignments_valid_until_check check (valid_until > appointed_at),
      constraint role_assignments_revoked_after_appointed_check check (revoked_at >= appointed_at),
      constraint role_assignments_revoked_by_check check (revoked_by_person_id is null or revoked_at is not null)
    );

    comment on table role_assignments is
      'Orderer (one per employer), delegates of the handling, administrators (one row per employer code administered).';

    create unique index role_assignments_one_orderer_per_employer_idx on role_assignments (employer_id)
      where role = 'orderer' and revoked_at is null;
    create unique index role_assignments_one_delegate_per_person_idx on role_assignments (employer_id, person_id)
      where role = 'delegate' and revoked_at is null;
    create unique index role_assignments_one_administrator_per_code_idx on role_assignments (person_id, employer_code_id)
      where role = 'administrator' and revoked_at is null;
    -- a person's roles at login; the people in charge of an employer; the administrators of a code
    create index role_assignments_person_id_idx on role_assignments (person_id) where revoked_at is null;
    create index role_assignments_employer_id_idx on role_assignments (employer_id, role) where revoked_at is null;
    create index role_assignments_employer_code_id_idx on role_assignments (employer_code_id)
      where role = 'administrator' and revoked_at is null;
    create index role_assignments_application_id_idx on role_assignments (application_id);

    create table permissions (
      id uuid primary key default gen_random_uuid(),
      person_id uuid not null references persons (id),
      employer_code_id uuid not null references employer_codes (id),
      service_id uuid not null references services (id),
      granted_by_person_id uuid references persons (id),
      granted_at timestamptz not null default now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      revoked_by_person_id uuid references persons (id),
      source text not null default 'portal' constraint permissions_source_check check (source in ('portal', 'import')),
      constraint permissions_portal_grantor_check check (source <> 'portal' or granted_by_person_id is not null),
      constraint permissions_expires_at_check check (expires_at > granted_at),
      constraint permissions_revoked_after_granted_check check (revoked_at >= granted_at),
      constraint permissions_revoked_by_check check (revoked_by_person_id is null or revoked_at is not null)
    );

    comment on table permissions is
      'Behörigheter: one person may use one service for one employer code. source import = migrated from the old records.';

    create unique index permissions_one_active_grant_idx on permissions (person_id, employer_code_id, service_id)
      where revoked_at is null;
    create index permissions_employer_code_id_idx on permissions (employer_code_id, person_id) where revoked_at is null;
    create index permissions_service_id_idx on permissions (service_id) where revoked_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table permissions;
    drop table role_assignments;
  `);
}
