import type { Knex } from 'knex';

/**
 * The decision API finds its caller by the SHA-256 of the bearer token on every call: a unique index makes that one
 * index lookup (and makes two clients with the same token impossible). The check keeps anything but a hex SHA-256
 * (a plain secret, say) out of the column.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table api_clients
      add constraint api_clients_secret_hash_check check (secret_hash ~ '^[0-9a-f]{64}$');
    create unique index api_clients_secret_hash_key on api_clients (secret_hash);
    comment on column api_clients.secret_hash is 'Hex SHA-256 of the bearer token; the token itself is shown once and never stored.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    comment on column api_clients.secret_hash is null;
    drop index api_clients_secret_hash_key;
    alter table api_clients drop constraint api_clients_secret_hash_check;
  `);
}
