import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { maskPersonalIdentityNumber } from '../domain/identity-numbers';
import type { ExportRow } from './repository';

/** The byte-order mark that makes spreadsheet programs read the file as UTF-8. */
export const BOM = '\uFEFF';
const SEPARATOR = ';';
const LINE_END = '\r\n';
const BATCH = 500;

/** The export's columns, in order; each is also the key of its header under `permissions.csv` in the locales. */
export const CSV_COLUMNS = [
  'name',
  'personalIdentityNumber',
  'email',
  'lastLogin',
  'inactive',
  'code',
  'services',
  'validThrough',
] as const;

export interface CsvLabels {
  headers: Record<(typeof CSV_COLUMNS)[number], string>;
  yes: string;
  no: string;
}

/** A field quoted when it holds the separator, a quote or a line break (RFC 4180, with `;`). */
export function csvField(value: string): string {
  return /[";\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(SEPARATOR) + LINE_END;
}

const swedishDateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  dateStyle: 'short',
  timeStyle: 'short',
});

function lineOf(row: ExportRow, labels: CsvLabels): string {
  return csvLine([
    row.display_name,
    maskPersonalIdentityNumber(row.personal_identity_number),
    row.email ?? '',
    row.last_login_at ? swedishDateTime.format(row.last_login_at) : '',
    row.inactive ? labels.yes : labels.no,
    row.code,
    row.services,
    row.valid_through ?? '',
  ]);
}

/** Writes, and waits for the reader when the stream is full (or gone), so an export never buffers in memory. */
export async function write(out: Writable, text: string): Promise<void> {
  if (out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/**
 * Streams the statement's rows as CSV (UTF-8 with BOM, `;`, CRLF): a server-side cursor in a read-only transaction,
 * fetched in batches, each written as it arrives, so memory stays flat however many users there are.
 */
export async function writeCsv(db: Knex, statement: Knex.Raw, out: Writable, labels: CsvLabels): Promise<void> {
  const { sql, bindings } = statement.toSQL();
  await write(out, BOM + csvLine(CSV_COLUMNS.map((column) => labels.headers[column])));
  await db.transaction(
    async (trx) => {
      await trx.raw(`declare users_export no scroll cursor for ${sql}`, bindings);
      for (;;) {
        const { rows } = await trx.raw<{ rows: ExportRow[] }>(`fetch ${BATCH} from users_export`);
        if (rows.length > 0) await write(out, rows.map((row) => lineOf(row, labels)).join(''));
        if (rows.length < BATCH || out.destroyed) break;
      }
      await trx.raw('close users_export');
    },
    { readOnly: true },
  );
}
