import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type pg from 'pg';
import { withImportLock, withOwnConnection } from './connection';
import { ImportFileError, readIntoStaging } from './read';
import * as repository from './repository';
import type { Refusal } from './rows';

export { ImportFileError } from './read';
export { ImportBusyError } from './connection';

/** Shows how far a long step has come (the command line draws a bar on stderr; tests pass nothing). */
export interface Progress {
  start(phase: 'reading' | 'applying', total: number): void;
  update(value: number): void;
  stop(): void;
}

export interface ImportOptions {
  filePath: string;
  /** false (the default): a dry run, which checks the file and tells what would be created, changing nothing. */
  apply?: boolean;
  /** Staged rows per transaction when applying (whole persons: a batch may run over by one person's rows). */
  batchSize?: number;
  progress?: Progress;
  /** Called after each batch has been committed; a test throws here to interrupt the run. */
  onBatchDone?: (batch: { number: number; of: number }) => Promise<void> | void;
}

interface Checked {
  fileName: string;
  checksum: string;
  rowsRead: number;
  /** Earlier applies of the same file (same SHA-256), newest first, finished or not. */
  earlier: repository.ImportRunRow[];
}

export type ImportResult =
  | (Checked & { outcome: 'refused'; refusals: Refusal[]; refusedRows: number })
  | (Checked & { outcome: 'checked'; plan: repository.Plan })
  | (Checked & {
      outcome: 'imported';
      plan: repository.Plan;
      created: { employers: number; codes: number; persons: number; permissions: number };
      personsUpdated: number;
      auditRows: number;
      seconds: number;
    });

export const DEFAULT_BATCH_SIZE = 50_000;

/**
 * The import from the agency's old records. One run at a time per database (an advisory lock). The file is copied
 * into the UNLOGGED staging table, checked row by row on the way and then set-based in SQL; any refused row refuses
 * the whole file. Applying creates what is missing, batch by batch, each batch in its own transaction, so a run
 * interrupted half-way is completed by running the same file again; nothing that exists is created twice, and a
 * permission that exists in any form (even revoked) is never created again. Audited as the import; no email.
 */
export function importService(db: Knex, now: () => number) {
  async function check(
    connection: pg.Client,
    options: ImportOptions,
    started: Date,
  ): Promise<ImportResult & { runId: string }> {
    const fileName = path.basename(options.filePath);
    const size = await fileSize(options.filePath);
    const serviceKeys = await repository.serviceKeys(db);
    options.progress?.start('reading', size);
    const read = await readIntoStaging(connection, options.filePath, { serviceKeys, now: started }, (bytes) =>
      options.progress?.update(bytes),
    ).finally(() => options.progress?.stop());
    await repository.analyzeStaging(db);
    const mode = options.apply ? 'apply' : 'dry-run';
    const runId = await repository.startRun(db, { fileName, checksum: read.checksum, mode }, started);
    const checked = {
      runId,
      fileName,
      checksum: read.checksum,
      rowsRead: read.rowsRead,
      earlier: await repository.earlierApplies(db, read.checksum, runId),
    };
    const refusals = [...read.refusals, ...(await repository.crossRowRefusals(db))].sort(
      (a, b) => a.line - b.line || a.reason.localeCompare(b.reason),
    );
    if (refusals.length > 0) {
      const refusedRows = new Set(refusals.map((refusal) => refusal.line)).size;
      await repository.finishRun(db, runId, 'refused', { rowsRead: read.rowsRead, refusedRows }, new Date(now()));
      return { ...checked, outcome: 'refused', refusals, refusedRows };
    }
    return { ...checked, outcome: 'checked', plan: await repository.plan(db) };
  }

  async function apply(
    checked: Checked & { runId: string; plan: repository.Plan },
    options: ImportOptions,
    started: Date,
  ): Promise<ImportResult> {
    const source = { fileName: checked.fileName, checksum: checked.checksum, runId: checked.runId };
    const firstStep = await db.transaction((trx) => repository.insertEmployersAndCodes(trx, source, new Date(now())));
    const starts = await repository.batchStarts(db, options.batchSize ?? DEFAULT_BATCH_SIZE);
    const totals = { personsCreated: 0, personsUpdated: 0, permissionsCreated: 0, usersAudited: 0 };
    options.progress?.start('applying', starts.length);
    try {
      for (const [index, from] of starts.entries()) {
        const range = { from, to: starts[index + 1] ?? null };
        const counts = await db.transaction((trx) => repository.applyBatch(trx, range, source, new Date(now())));
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
        options.progress?.update(index + 1);
        await options.onBatchDone?.({ number: index + 1, of: starts.length });
      }
    } finally {
      options.progress?.stop();
    }
    const finished = new Date(now());
    const result = {
      ...checked,
      outcome: 'imported' as const,
      created: {
        employers: firstStep.employers,
        codes: firstStep.codes,
        persons: totals.personsCreated,
        permissions: totals.permissionsCreated,
      },
      personsUpdated: totals.personsUpdated,
      auditRows: firstStep.employers + firstStep.codes + totals.usersAudited,
      seconds: (finished.getTime() - started.getTime()) / 1000,
    };
    await repository.finishRun(
      db,
      checked.runId,
      'imported',
      { rowsRead: checked.rowsRead, created: result.created, personsUpdated: result.personsUpdated },
      finished,
    );
    return result;
  }

  return {
    /** Checks the file (a dry run) or imports it (`apply`). Throws ImportFileError, ImportBusyError. */
    async importFile(options: ImportOptions): Promise<ImportResult> {
      const started = new Date(now());
      return withOwnConnection(db, (connection) =>
        withImportLock(connection, async () => {
          await repository.emptyStaging(db);
          try {
            const { runId, ...checked } = await check(connection, options, started);
            if (checked.outcome !== 'checked') return checked;
            if (!options.apply) {
              await repository.finishRun(
                db,
                runId,
                'checked',
                { rowsRead: checked.rowsRead, plan: checked.plan },
                new Date(now()),
              );
              return checked;
            }
            return await apply({ ...checked, runId }, options, started);
          } finally {
            await repository.emptyStaging(db);
          }
        }),
      );
    },
  };
}

async function fileSize(filePath: string): Promise<number> {
  try {
    const found = await stat(filePath);
    if (!found.isFile()) throw new ImportFileError(`${filePath} is not a file`);
    return found.size;
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`cannot read ${filePath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export type ImportService = ReturnType<typeof importService>;
