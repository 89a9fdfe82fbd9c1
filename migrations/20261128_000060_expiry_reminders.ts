import type { Knex } from 'knex';

/**
 * Time-limited permissions and appointments: when the expiry reminder went out (null: not yet, or the end date was
 * changed since, which resets it), so the daily job sends one reminder per end date and not one a day. The partial
 * indexes let the job find what ends soon without reading every current row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table permissions add column expiry_reminded_at timestamptz;
    alter table role_assignments add column expiry_reminded_at timestamptz;
    comment on column permissions.expiry_reminded_at is 'When the user and administrators were reminded of expires_at.';
    comment on column role_assignments.expiry_reminded_at is 'When the appointee was reminded of valid_until.';
    create index permissions_expiring_idx on permissions (expires_at)
      where revoked_at is null and expires_at is not null;
    create index role_assignments_expiring_idx on role_assignments (valid_until)
      where revoked_at is null and valid_until is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index role_assignments_expiring_idx;
    drop index permissions_expiring_idx;
    alter table role_assignments drop column expiry_reminded_at;
    alter table permissions drop column expiry_reminded_at;
  `);
}
