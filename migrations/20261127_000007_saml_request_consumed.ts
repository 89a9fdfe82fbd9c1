import type { Knex } from 'knex';

/**
 * node-saml removes a request id as it accepts the response; the portal's own checks that follow still need the
 * request's time (AuthnInstant must not be before it). A removed id is therefore marked consumed, not deleted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table saml_request_ids add column consumed_at timestamptz;
    comment on column saml_request_ids.value is 'IssueInstant of the AuthnRequest, as node-saml stores it';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table saml_request_ids drop column consumed_at;`);
}
