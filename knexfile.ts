import type { Knex } from 'knex';
import { migrationSource } from './src/db/migrations';

/**
 * For tools that expect a knexfile. The portal itself runs migrations with `npm run migrate` (and, in development,
 * on `npm start`), which also starts the embedded PostgreSQL when DATABASE_URL is unset.
 */
const config: Knex.Config = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  migrations: { migrationSource, tableName: 'knex_migrations' },
};

export default config;
