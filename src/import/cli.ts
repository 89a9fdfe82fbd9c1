import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { loadConfigOrExit } from '../config';
import { createKnex } from '../db/knex';
import { openDatabase } from '../db/open';
import { PendingMigrationsError, prepareDatabase } from '../db/prepare';
import { isIsoDate } from '../employers/schemas';
import { createLogger } from '../logger';
import { cleanupInactive } from './cleanup';
import { cleanupReport, importReport } from './report';
import { ImportBusyError, ImportFileError, importService, type Progress } from './service';

/** The lines `npm run cli` adds to its usage for these commands. */
export const IMPORT_USAGE = [
  '  npm run cli -- import <file.csv> [--apply] [--batch-size <rows>]',
  '  npm run cli -- cleanup-inactive --before <YYYY-MM-DD> [--apply]',
];

export const IMPORT_COMMANDS: readonly string[] = ['import', 'cleanup-inactive'];

type Command =
  | { kind: 'import'; filePath: string; apply: boolean; batchSize: number | undefined }
  | { kind: 'cleanup'; before: string; apply: boolean };

class InputError extends Error {}

export function parseImportCommand(args: readonly string[]): Command {
  const [group, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        apply: { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        before: { type: 'string' },
      },
    });
  } catch (error) {
    throw new InputError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (group === 'import') {
    if (positionals.length !== 1 || values.before !== undefined) {
      throw new InputError('import takes one file and the options --apply and --batch-size');
    }
    const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
      throw new InputError('--batch-size must be a whole number of rows, 1 or more');
    }
    return { kind: 'import', filePath: positionals[0] ?? '', apply: values.apply, batchSize };
  }
  if (positionals.length > 0 || values['batch-size'] !== undefined) {
    throw new InputError('cleanup-inactive takes only --before <YYYY-MM-DD> and --apply');
  }
  if (values.before === undefined || !isIsoDate(values.before)) {
    throw new InputError('cleanup-inactive needs --before <YYYY-MM-DD>, a real date');
  }
  return { kind: 'cleanup', before: values.before, apply: values.apply };
}

/** A bar on stderr while a step runs (drawn only on a terminal, so piped output and tests stay clean). */
function progressBar(): Progress {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {percentage}% | {value}/{total}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (phase, total) => {
      bar.start(total, 0, { phase: phase.padEnd(8) });
    },
    update: (value) => {
      bar.update(value);
    },
    stop: () => {
      bar.stop();
    },
  };
}

/**
 * `npm run cli -- import …` and `… cleanup-inactive …`: the report on stdout, exit 0 when the file was accepted (or
 * the clean-up ran), 1 when rows were refused or the command could not run.
 */
export async function runImportCommand(args: readonly string[], usage: string): Promise<number> {
  let command: Command;
  try {
    command = parseImportCommand(args);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    console.error(`Error: ${error.message}\n\n${usage}`);
    return 1;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn', pino.destination(2));
  const connection = await openDatabase(config, logger);
  const db = createKnex(connection.url, { min: 0, max: 3 });
  try {
    await prepareDatabase(db, { production: config.isProduction, logger });
    if (command.kind === 'cleanup') {
      const options = { before: command.before, months: config.inactivity.months, apply: command.apply };
      console.log(cleanupReport(await cleanupInactive(db, options, new Date()), options));
      return 0;
    }
    const result = await importService(db, Date.now).importFile({ ...command, progress: progressBar() });
    console.log(importReport(result));
    return result.outcome === 'refused' ? 1 : 0;
  } catch (error) {
    if (
      error instanceof ImportFileError ||
      error instanceof ImportBusyError ||
      error instanceof PendingMigrationsError
    ) {
      console.error(`Error: ${error.message}`);
    } else {
      logger.error({ err: error }, 'command failed');
    }
    return 1;
  } finally {
    await db.destroy();
    await connection.close();
  }
}
