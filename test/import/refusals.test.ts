import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importReport } from '../../src/import/report';
import { ImportFileError, importService } from '../../src/import/service';
import { freshDatabase } from '../helpers/database';
import { BROKEN, countOf, rowCounts } from './helpers';

const NOW = Date.parse('2026-11-28T09:00:00Z');
const KNOWN_SERVICES =
  'fakturaspecifikationer, filoverforing, hantera-behorigheter, rapport-direkt, rapporter, visa-anstallning';

const EXPECTED = [
  { line: 3, reason: 'bad check digit in organisation number 202100-5126' },
  { line: 4, reason: 'bad check digit in personal identity number' },
  { line: 5, reason: `unknown service "lonerapport" (known: ${KNOWN_SERVICES})` },
  { line: 6, reason: 'duplicate of line 2 (same person, employer code and service)' },
  { line: 7, reason: 'employer code 60101 belongs to organisation number 202100-5125 on line 2' },
  { line: 8, reason: 'wrong number of fields: 8 (expected 9)' },
  { line: 9, reason: 'bad email address "inte-en-adress"' },
  {
    line: 10,
    reason: 'last login "2025-02-30" is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])',
  },
  { line: 11, reason: 'last login 2099-01-01 is in the future' },
  { line: 12, reason: 'employer_code_active "kanske" is not ja or nej (or true/false, 1/0)' },
  {
    line: 13,
    reason: 'employer code 60999 already belongs to another employer in the portal (organisation number 202100-7162)',
  },
  {
    line: 14,
    reason:
      'employer name "Länsstyrelsen Exempellän" differs from "Länsstyrelsen i Exempellän" on line 2 ' +
      'for organisation number 202100-5125',
  },
  { line: 15, reason: 'personal identity number has a date of birth that does not exist or is in the future' },
  { line: 16, reason: 'name is missing' },
  { line: 16, reason: 'service is missing' },
  { line: 17, reason: 'malformed CSV: a quoted field is never closed; the rest of the file was not read' },
];

describe('a file with broken rows', async () => {
  const { db } = await freshDatabase();
  const service = importService(db, () => NOW);
  // an employer code the portal already has, under another employer than the file says
  const [employer] = await db('employers')
    .insert({ organisation_number: '2021007162', name: 'Annan myndighet' })
    .returning<{ id: string }[]>('id');
  await db('employer_codes').insert({ employer_id: employer?.id, code: '60999', name: 'Annan kod' });

  it('dry run: every refused row with its line and precise reason', async () => {
    const result = await service.importFile({ filePath: BROKEN });
    if (result.outcome !== 'refused') throw new Error(result.outcome);
    expect(result.refusals).toEqual(EXPECTED);
    expect(result.rowsRead).toBe(16);
    expect(result.refusedRows).toBe(15);
    const report = importReport(result);
    expect(report).toContain('Rows read: 16; accepted: 1; refused: 15');
    expect(report).toContain('  line 4: bad check digit in personal identity number');
    expect(report).toContain('Nothing was imported');
    // the numbers themselves are personal data: the report names lines, not persons
    expect(report).not.toMatch(/19121201-?931[78]/);
  });

  it('apply: refuses the whole file, stores nothing, and keeps the refusal in the log of runs', async () => {
    const before = await rowCounts(db);
    const result = await service.importFile({ filePath: BROKEN, apply: true });
    expect(result.outcome).toBe('refused');
    if (result.outcome === 'refused') expect(result.refusals).toEqual(EXPECTED);
    expect(await rowCounts(db)).toEqual(before);
    expect(await countOf(db, 'persons')).toBe(0);
    expect(await countOf(db, 'import_rows')).toBe(0);
    expect(await db('import_runs').where({ mode: 'apply' }).select('outcome', 'counts')).toEqual([
      { outcome: 'refused', counts: { rowsRead: 16, refusedRows: 15 } },
    ]);
  });

  it('refuses a file whose header is not the export’s, and one that cannot be read, before anything is stored', async () => {
    const wrongHeader = path.join(tmpdir(), `import-header-${NOW}.csv`);
    await writeFile(wrongHeader, 'orgnr;namn\n2021005125;X\n');
    await expect(service.importFile({ filePath: wrongHeader })).rejects.toThrow(ImportFileError);
    await expect(service.importFile({ filePath: wrongHeader })).rejects.toThrow(/line 1 must be the header/);
    await expect(service.importFile({ filePath: path.join(tmpdir(), 'no-such-file.csv') })).rejects.toThrow(
      /cannot read .*no-such-file\.csv \(ENOENT\)/,
    );
    expect(await countOf(db, 'import_rows')).toBe(0);
  });

  it('reads a byte-order mark, CRLF line ends, quoted fields with the separator, and refuses bytes that are not UTF-8', async () => {
    const file = path.join(tmpdir(), `import-forms-${NOW}.csv`);
    const header =
      'organisation_number;employer_name;employer_code;employer_code_active;personal_identity_number;name;email;service;last_login';
    const rows = [
      '2021005125;"Länsstyrelsen; Exempellän";70101;JA;121201-9317;"Anders ""Ante"" Ek";;rapporter;2026-01-01 10:00',
      '2021005125;"Länsstyrelsen; Exempellän";70101;1;191212029423;Birgitta;;rapporter;2026-01-01T10:00:00Z',
    ];
    const latin1 = Buffer.from(
      '2021005125;"Länsstyrelsen; Exempellän";70101;ja;191212039547;Öberg;;rapporter;\r\n',
      'latin1',
    );
    await writeFile(file, Buffer.concat([Buffer.from(`\uFEFF${header}\r\n${rows.join('\r\n')}\r\n`, 'utf8'), latin1]));
    const result = await service.importFile({ filePath: file });
    if (result.outcome !== 'refused') throw new Error(result.outcome);
    expect(result.rowsRead).toBe(3);
    expect(result.refusals).toEqual([{ line: 4, reason: 'not valid UTF-8 (save the file as UTF-8)' }]);
  });
});
