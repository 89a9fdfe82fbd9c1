import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Info } from 'csv-parse';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { checkRecord, COLUMNS, type ImportRow, type Refusal, type RowContext } from './rows';

/** The file cannot be imported at all (unreadable, or not the old records' export); nothing was changed. */
export class ImportFileError extends Error {}

export interface ReadResult {
  /** SHA-256 of the file's bytes, hex. */
  checksum: string;
  /** Records after the header. */
  rowsRead: number;
  /** Rows copied into the staging table: those that passed every check of a single row. */
  staged: number;
  /** Rows refused by those checks, in file order. */
  refusals: Refusal[];
}

const STAGING_COLUMNS = [
  'line',
  'organisation_number',
  'employer_name',
  'employer_code',
  'employer_code_active',
  'personal_identity_number',
  'name',
  'email',
  'service_key',
  'last_login_at',
];
const CSV_ERRORS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after the closing quote of a field',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
  CSV_MAX_RECORD_SIZE: 'a record longer than 64 KiB (a quote left open?)',
};
/** No real row comes near this; a quote left open would otherwise swallow the rest of the file into one field. */
const MAX_RECORD_BYTES = 64 * 1024;
const ROWS_PER_CHUNK = 2_000;

/**
 * Streams the file into the (empty) staging table over `client` with COPY, checking each row on the way: the
 * header must be exactly COLUMNS; a row that fails a check of its own is kept out of the table and refused with
 * its line. A CSV syntax error (broken quoting) is refused at its line and ends the reading, since nothing after it
 * can be read reliably. Reports the bytes read as it goes.
 */
export async function readIntoStaging(
  client: pg.Client,
  filePath: string,
  context: RowContext,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<ReadResult> {
  const hash = createHash('sha256');
  const refusals: Refusal[] = [];
  let rowsRead = 0;
  let staged = 0;
  const source = createReadStream(filePath);
  const parser = parse({
    delimiter: ';',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  source.pipe(decodeAndHash(hash, onBytes)).pipe(parser);
  source.on('error', (error) => parser.destroy(error));

  async function* copyText(): AsyncGenerator<string> {
    let header = true;
    let lastEnd = 0;
    let chunk: string[] = [];
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        const line = info.lines - record.reduce((count, field) => count + newlines(field), 0);
        lastEnd = info.lines;
        if (header) {
          checkHeader(record);
          header = false;
          continue;
        }
        rowsRead += 1;
        const checked = checkRecord(record, line, context);
        if (checked.reasons) {
          for (const reason of checked.reasons) refusals.push({ line, reason });
          continue;
        }
        staged += 1;
        chunk.push(copyLine(checked.row));
        if (chunk.length >= ROWS_PER_CHUNK) {
          yield chunk.join('');
          chunk = [];
        }
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      rowsRead += 1;
      const line = error.code === 'CSV_QUOTE_NOT_CLOSED' || typeof error.lines !== 'number' ? lastEnd + 1 : error.lines;
      const what = CSV_ERRORS[error.code] ?? error.code;
      refusals.push({ line, reason: `malformed CSV: ${what}; the rest of the file was not read` });
    } finally {
      source.destroy();
    }
    if (header) {
      const problem = refusals.length > 0 ? 'line 1 is not valid CSV' : 'the file is empty';
      throw new ImportFileError(`${problem}: the first line must be the header ${COLUMNS.join(';')}`);
    }
    if (chunk.length > 0) yield chunk.join('');
  }

  try {
    await pipeline(
      Readable.from(copyText()),
      client.query(copyFrom(`copy import_rows (${STAGING_COLUMNS.join(', ')}) from stdin`)),
    );
  } catch (error) {
    if (isNodeError(error, 'ENOENT') || isNodeError(error, 'EISDIR') || isNodeError(error, 'EACCES')) {
      throw new ImportFileError(`cannot read ${filePath} (${error.code})`);
    }
    throw error;
  }
  return { checksum: hash.digest('hex'), rowsRead, staged, refusals };
}

function checkHeader(record: readonly string[]): void {
  const found = record.map((field) => field.trim().toLowerCase());
  if (found.length !== COLUMNS.length || found.some((name, index) => name !== COLUMNS[index])) {
    // what the line holds is not repeated: without a header, it is a row of personal data
    throw new ImportFileError(`line 1 must be the header ${COLUMNS.join(';')}, and it is not`);
  }
}

/**
 * Hashes the bytes as they are, and decodes them as UTF-8 (a byte-order mark is dropped, an invalid byte becomes
 * U+FFFD, which refuses its row) with CRLF turned into LF so that the parser counts lines correctly.
 */
function decodeAndHash(hash: ReturnType<typeof createHash>, onBytes: (bytes: number) => void): Transform {
  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  let pendingCarriageReturn = false;
  const lineEnds = (text: string) => {
    let joined = (pendingCarriageReturn ? '\r' : '') + text;
    pendingCarriageReturn = joined.endsWith('\r');
    if (pendingCarriageReturn) joined = joined.slice(0, -1);
    return joined.replace(/\r\n/g, '\n');
  };
  return new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes(bytes);
      callback(null, lineEnds(decoder.decode(chunk, { stream: true })));
    },
    flush(callback) {
      const rest = lineEnds(decoder.decode());
      callback(null, rest + (pendingCarriageReturn ? '\r' : ''));
    },
  });
}

function newlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/** One row in COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyLine(row: ImportRow): string {
  return `${[
    String(row.line),
    row.organisationNumber,
    row.employerName,
    row.employerCode,
    row.employerCodeActive ? 't' : 'f',
    row.personalIdentityNumber,
    row.name,
    row.email,
    row.serviceKey,
    row.lastLoginAt,
  ]
    .map(copyField)
    .join('\t')}\n`;
}

function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character] ?? character);
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function isNodeError(error: unknown, code: string): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
