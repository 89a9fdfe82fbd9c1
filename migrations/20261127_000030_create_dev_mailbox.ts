import type { Knex } from 'knex';

/**
 * The development mailbox: outside production, with no SMTP_URL, the mail worker "delivers" each email here instead,
 * and the /dev-mail pages show it. Production never writes to it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table dev_mailbox (
      id bigint generated always as identity primary key,
      outbox_id bigint references outbox (id),
      delivered_at timestamptz not null default now(),
      sender text not null,
      recipient text not null,
      subject text not null,
      text_body text not null,
      html_body text not null
    );

    comment on table dev_mailbox is 'Development only: the email the portal would have sent over SMTP.';

    create index dev_mailbox_delivered_at_idx on dev_mailbox (delivered_at desc, id desc);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table dev_mailbox');
}
