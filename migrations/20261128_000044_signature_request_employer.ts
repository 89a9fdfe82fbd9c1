import type { Knex } from 'knex';

/**
 * A sign request names the employer it is for (when it is for one), so that its audit rows land in that employer's
 * history. Requests made before this migration keep it empty.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table signature_requests add column employer_id uuid references employers (id);
    comment on column signature_requests.employer_id is 'The employer the signed text is about, for its audit history.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table signature_requests drop column employer_id;`);
}
