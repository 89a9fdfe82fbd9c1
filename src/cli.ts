import pino from 'pino';
import { API_CLIENT_USAGE, parseApiClientCommand, runApiClientCommand, type ApiClientCommand } from './api/cli';
import { loadConfigOrExit } from './config';
import { maskPersonalIdentityNumber } from './domain/identity-numbers';
import { createKnex } from './db/knex';
import { IMPORT_COMMANDS, IMPORT_USAGE, runImportCommand } from './import/cli';
import { openDatabase } from './db/open';
import { PendingMigrationsError, prepareDatabase } from './db/prepare';
import { createLogger } from './logger';
import { normalisePersonalIdentityNumber } from './domain/identity-numbers';
import { staffMemberSchema } from './staff/schemas';
import { staffService } from './staff/service';
import type { Knex } from 'knex';

const USAGE = [
  'Usage:',
  '  npm run cli -- staff add <personal identity number> <name> <email>',
  '  npm run cli -- staff remove <personal identity number>',
  ...API_CLIENT_USAGE,
  ...IMPORT_USAGE,
].join('\n');

/** A mistake in what was typed: one line, then the usage, exit 1; nothing was changed. */
class InputError extends Error {}

type Command =
  | { kind: 'staff-add'; personalIdentityNumber: string; name: string; email: string }
  | { kind: 'staff-remove'; personalIdentityNumber: string }
  | ApiClientCommand;

function parseCommand(args: readonly string[]): Command {
  const [group, action, ...rest] = args;
  if (group === 'api-client') {
    const parsed = parseApiClientCommand(action, rest);
    if (!parsed.ok) throw new InputError(parsed.message);
    return parsed.command;
  }
  if (group === 'staff' && action === 'add') {
    if (rest.length !== 3) throw new InputError('staff add takes three arguments: number, name and e-mail');
    const parsed = staffMemberSchema(new Date()).safeParse({
      personalIdentityNumber: rest[0],
      name: rest[1],
      email: rest[2],
    });
    if (!parsed.success) throw new InputError(parsed.error.issues.map((issue) => issue.message).join('; '));
    return { kind: 'staff-add', ...parsed.data };
  }
  if (group === 'staff' && action === 'remove') {
    if (rest.length !== 1) throw new InputError('staff remove takes one argument: the personal identity number');
    const personalIdentityNumber = normalisePersonalIdentityNumber(rest[0] ?? '', new Date());
    if (!personalIdentityNumber) throw new InputError('not a valid personal identity number (personnummer)');
    return { kind: 'staff-remove', personalIdentityNumber };
  }
  throw new InputError(args.length === 0 ? 'no command given' : `unknown command: ${args.join(' ')}`);
}

async function run(command: Command, db: Knex): Promise<string> {
  if (command.kind === 'api-client') return runApiClientCommand(command, db, Date.now);
  const staff = staffService(db, Date.now);
  const actor = { type: 'system', requestId: undefined } as const;
  const masked = maskPersonalIdentityNumber(command.personalIdentityNumber);
  if (command.kind === 'staff-add') {
    const result = await staff.add(command, actor);
    if (result.outcome === 'already-staff')
      return `${result.name} (${masked}) is already agency staff; nothing changed.`;
    return `${result.name} (${masked}) is now agency staff${result.newPerson ? ' (new person)' : ''}.`;
  }
  const result = await staff.remove(command.personalIdentityNumber, actor);
  if (result.outcome === 'not-staff') return `${masked} is not agency staff; nothing changed.`;
  return `${result.name} (${masked}) is no longer agency staff.`;
}

// The import from the old records and the pre-launch clean-up run on their own (src/import/cli.ts).
if (IMPORT_COMMANDS.includes(process.argv[2] ?? '')) process.exit(await runImportCommand(process.argv.slice(2), USAGE));

let command: Command;
try {
  command = parseCommand(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof InputError)) throw error;
  console.error(`Error: ${error.message}\n\n${USAGE}`);
  process.exit(1);
}

const config = loadConfigOrExit();
// Log lines go to stderr, and only warnings unless LOG_LEVEL asks for more: stdout keeps the one line of result.
const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', pino.destination(2));
const connection = await openDatabase(config, logger);
const db = createKnex(connection.url, { min: 0, max: 2 });
let exitCode = 0;
try {
  await prepareDatabase(db, { production: config.isProduction, logger });
  console.log(await run(command, db));
} catch (error) {
  exitCode = 1;
  if (error instanceof PendingMigrationsError) console.error(`Error: ${error.message}`);
  else logger.error({ err: error }, 'command failed');
} finally {
  await db.destroy();
  await connection.close();
}
process.exit(exitCode);
