import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { createKnex } from './knex';
import { migratorConfig, migrateToLatest, pendingMigrations } from './migrations';
import { openDatabase } from './open';

/** `npm run migrate` (latest), `npm run migrate:down` (rollback the last batch), `npm run migrate:status`. */
async function main(command: string | undefined): Promise<number> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const connection = await openDatabase(config, logger);
  const db = createKnex(connection.url, { min: 0, max: 1 });
  try {
    if (command === 'latest') {
      const applied = await migrateToLatest(db);
      console.log(applied.length ? `Applied:\n  ${applied.join('\n  ')}` : 'Already up to date.');
    } else if (command === 'rollback') {
      const [, rolledBack] = (await db.migrate.rollback(migratorConfig)) as [number, string[]];
      console.log(rolledBack.length ? `Rolled back:\n  ${rolledBack.join('\n  ')}` : 'Nothing to roll back.');
    } else if (command === 'status') {
      const pending = await pendingMigrations(db);
      console.log(pending.length ? `Pending:\n  ${pending.join('\n  ')}` : 'No pending migrations.');
    } else {
      console.error('Usage: migrate-cli latest|rollback|status');
      return 2;
    }
    return 0;
  } finally {
    await db.destroy();
    await connection.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
