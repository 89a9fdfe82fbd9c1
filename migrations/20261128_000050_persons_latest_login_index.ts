import type { Knex } from 'knex';

/**
 * Inactivity counts the later of the portal's and the old records' last login (the daily check, the clean-up, the
 * administrators' overview and export), so the index is on that expression; the index on last_login_at alone no
 * longer serves any query and only cost a write at every login.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index persons_latest_login_at_idx on persons ((greatest(last_login_at, legacy_last_login_at)));
    drop index persons_last_login_at_idx;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create index persons_last_login_at_idx on persons (last_login_at);
    drop index persons_latest_login_at_idx;
  `);
}
