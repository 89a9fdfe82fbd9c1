import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { BOM, csvLine, write } from '../permissions/csv';

const BATCH = 500;

/**
 * Streams a statement's rows as CSV the way the users export does (UTF-8 with BOM, `;`, CRLF): a server-side cursor
 * in a read-only transaction, fetched in batches, each written as it arrives, so memory stays flat.
 */
export async function streamCsv<Row>(
  db: Knex,
  statement: Knex.Raw<{ rows: Row[] }>,
  out: Writable,
  headers: string[],
  fieldsOf: (row: Row) => string[],
): Promise<void> {
  const { sql, bindings } = statement.toSQL();
  await write(out, BOM + csvLine(headers));
  await db.transaction(
    async (trx) => {
      await trx.raw(`declare launch_export no scroll cursor for ${sql}`, bindings);
      for (;;) {
        const { rows } = await trx.raw<{ rows: Row[] }>(`fetch ${String(BATCH)} from launch_export`);
        if (rows.length > 0) await write(out, rows.map((row) => csvLine(fieldsOf(row))).join(''));
        if (rows.length < BATCH || out.destroyed) break;
      }
      await trx.raw('close launch_export');
    },
    { readOnly: true },
  );
}
