import type { Knex } from 'knex';

export interface ApiClientRow {
  id: string;
  name: string;
  client_id: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = ['id', 'name', 'client_id', 'created_at', 'revoked_at'] as const;

export async function insertClient(
  trx: Knex.Transaction,
  values: { name: string; clientId: string; secretHash: string },
  at: Date,
): Promise<ApiClientRow> {
  const [row] = await trx('api_clients')
    .insert({ name: values.name, client_id: values.clientId, secret_hash: values.secretHash, created_at: at })
    .returning<ApiClientRow[]>(COLUMNS);
  if (!row) throw new Error('no API client inserted');
  return row;
}

export function activeClientNamed(trx: Knex.Transaction, name: string): Promise<ApiClientRow | undefined> {
  return trx('api_clients').where({ name }).whereNull('revoked_at').first<ApiClientRow | undefined>(COLUMNS);
}

export function clientForUpdate(trx: Knex.Transaction, clientId: string): Promise<ApiClientRow | undefined> {
  return trx('api_clients').where({ client_id: clientId }).forUpdate().first<ApiClientRow | undefined>(COLUMNS);
}

export async function revokeClient(trx: Knex.Transaction, id: string, at: Date): Promise<Date> {
  const [row] = await trx('api_clients')
    .where({ id })
    .update({ revoked_at: trx.raw('greatest(created_at, ?)', [at]) })
    .returning<{ revoked_at: Date }[]>('revoked_at');
  if (!row) throw new Error('no API client revoked');
  return row.revoked_at;
}

export function listClients(db: Knex): Promise<ApiClientRow[]> {
  return db('api_clients')
    .select<ApiClientRow[]>(COLUMNS)
    .orderBy([{ column: 'created_at' }, { column: 'client_id' }]);
}

/** The hot path's only read of api_clients: one lookup on the unique index api_clients_secret_hash_key. */
export function activeClientByHash(db: Knex, secretHash: string): Promise<ApiClientRow | undefined> {
  return db('api_clients')
    .where({ secret_hash: secretHash })
    .whereNull('revoked_at')
    .first<ApiClientRow | undefined>(COLUMNS);
}
