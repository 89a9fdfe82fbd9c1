import type { Knex } from 'knex';

/**
 * Where to take the person after the login a request belongs to. A real IdP posts its answer from another site, so
 * the session cookie (SameSite=Lax) does not come with it: the return path travels with the request id instead.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table saml_request_ids add column return_path text
      constraint saml_request_ids_return_path_check check (return_path ~ '^/[^/\\\\]');
    comment on column saml_request_ids.value is
      'IssueInstant of the AuthnRequest, as node-saml stores it; empty while the id is only reserved';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table saml_request_ids drop column return_path;
    comment on column saml_request_ids.value is 'IssueInstant of the AuthnRequest, as node-saml stores it';
  `);
}
