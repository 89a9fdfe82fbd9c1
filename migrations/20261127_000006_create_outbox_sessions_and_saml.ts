import type { Knex } from 'knex';

/** Plumbing: the e-mail outbox, the session store, and the SAML request and replay caches. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table outbox (
      id bigint generated always as identity primary key,
      created_at timestamptz not null default now(),
      recipient_email text not null
        constraint outbox_recipient_email_check check (recipient_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      recipient_person_id uuid references persons (id),
      language text not null default 'sv' constraint outbox_language_check check (language in ('sv', 'en')),
      template text not null constraint outbox_template_check check (template <> ''),
      data jsonb not null default '{}',
      status text not null default 'pending'
        constraint outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed')),
      attempts integer not null default 0 constraint outbox_attempts_check check (attempts >= 0),
      next_attempt_at timestamptz not null default now(),
      last_error text,
      sent_at timestamptz,
      constraint outbox_sent_at_check check ((status = 'sent') = (sent_at is not null))
    );

    comment on table outbox is 'E-mails written in the same transaction as the change they report; a worker sends them.';

    -- the worker claims: status = 'pending' and next_attempt_at <= now() order by next_attempt_at for update skip locked
    create index outbox_claim_idx on outbox (status, next_attempt_at) where status in ('pending', 'sending');
    create index outbox_recipient_person_id_idx on outbox (recipient_person_id);

    -- connect-pg-simple's own table (its table.sql), under the name sessions
    create table sessions (
      sid varchar not null collate "default",
      sess json not null,
      expire timestamp(6) not null,
      constraint sessions_pkey primary key (sid)
    );
    create index sessions_expire_idx on sessions (expire);

    -- node-saml cacheProvider: the ids of AuthnRequests sent and not yet answered
    create table saml_request_ids (
      id text primary key,
      value text not null,
      created_at timestamptz not null default now()
    );
    create index saml_request_ids_created_at_idx on saml_request_ids (created_at);

    -- every Assertion ID accepted once: the primary key refuses a replay, even one arriving at the same moment
    create table saml_assertion_ids (
      assertion_id text primary key,
      received_at timestamptz not null default now()
    );
    create index saml_assertion_ids_received_at_idx on saml_assertion_ids (received_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table saml_assertion_ids;
    drop table saml_request_ids;
    drop table sessions;
    drop table outbox;
  `);
}
