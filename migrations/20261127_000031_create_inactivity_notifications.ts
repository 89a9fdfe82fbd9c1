import type { Knex } from 'knex';

/**
 * What the inactivity job told whom: one row per administrator, user and employer code, with the time of the last
 * notice or reminder. A row counts only while it is newer than the user's last login, so a user who logs in and
 * later falls inactive again starts over with a notice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table inactivity_notifications (
      administrator_person_id uuid not null references persons (id),
      user_person_id uuid not null references persons (id),
      employer_code_id uuid not null references employer_codes (id),
      first_notified_at timestamptz not null,
      notified_at timestamptz not null,
      reminders integer not null default 0 constraint inactivity_notifications_reminders_check check (reminders >= 0),
      constraint inactivity_notifications_pkey primary key (administrator_person_id, user_person_id, employer_code_id),
      constraint inactivity_notifications_order_check check (notified_at >= first_notified_at)
    );

    comment on table inactivity_notifications is
      'The inactivity job''s memory: which administrator was last told when about which inactive user on which code.';

    create index inactivity_notifications_user_idx on inactivity_notifications (user_person_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table inactivity_notifications');
}
