import { formatOrganisationNumber } from '../domain/identity-numbers';
import type { CleanupResult } from './cleanup';
import type { ImportRunRow, Plan } from './repository';
import type { ImportResult } from './service';

/** A time for the operator: 2026-11-28 01:02 UTC. */
function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const number = (value: number) => value.toLocaleString('en-GB');

function table(header: string[], body: (string | number)[][], numericFrom: number): string[] {
  const cells = [header, ...body.map((row) => row.map((cell) => (typeof cell === 'number' ? number(cell) : cell)))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return cells.map((row) =>
    row
      .map((cell, column) =>
        column >= numericFrom ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

function earlierRuns(earlier: ImportRunRow[]): string[] {
  return earlier.map((run) =>
    run.outcome === 'imported'
      ? `This file (same SHA-256) was imported before, at ${utc(run.started_at)}; what exists already is left as it is.`
      : `An import of this file started at ${utc(run.started_at)} did not finish; applying it again completes it.`,
  );
}

function planTable(plan: Plan, firstColumn: string): string[] {
  const row = (label: string, counts: { inFile: number; new: number }) => [
    label,
    counts.inFile,
    counts.new,
    counts.inFile - counts.new,
  ];
  return table(
    [firstColumn, 'in file', 'new', 'already present'],
    [
      row('employers', plan.employers),
      row('employer codes', plan.codes),
      row('persons', plan.persons),
      row('permissions', plan.permissions),
    ],
    1,
  );
}

/** What the command prints: the file, the rows, refusals or the plan, and what was done. */
export function importReport(result: ImportResult): string {
  const refused = result.outcome === 'refused' ? result.refusedRows : 0;
  const lines = [
    `File: ${result.fileName}`,
    `SHA-256: ${result.checksum}`,
    ...earlierRuns(result.earlier),
    `Rows read: ${number(result.rowsRead)}; accepted: ${number(result.rowsRead - refused)}; refused: ${number(refused)}`,
    '',
  ];
  if (result.outcome === 'refused') {
    lines.push('Refused rows:', ...result.refusals.map((refusal) => `  line ${refusal.line}: ${refusal.reason}`), '');
    lines.push('Nothing was imported: no row is imported while any row is refused. Correct the file and run again.');
    return lines.join('\n');
  }
  if (result.outcome === 'checked') {
    lines.push(...planTable(result.plan, 'Would create'), '');
    lines.push('Dry run: nothing was changed. Run again with --apply to import.');
    return lines.join('\n');
  }
  const { created } = result;
  const row = (label: string, made: number, counts: { inFile: number }) => [label, made, counts.inFile - made];
  lines.push(
    `Imported in ${result.seconds.toFixed(1)} s.`,
    ...table(
      ['', 'created', 'already present'],
      [
        row('employers', created.employers, result.plan.employers),
        row('employer codes', created.codes, result.plan.codes),
        row('persons', created.persons, result.plan.persons),
        row('permissions', created.permissions, result.plan.permissions),
      ],
      1,
    ),
    `Known persons given an email or a later last login: ${number(result.personsUpdated)}`,
    `Audit rows written: ${number(result.auditRows)}. No email was sent.`,
  );
  return lines.join('\n');
}

export function cleanupReport(result: CleanupResult, options: { before: string; months: number }): string {
  const lines = [
    `Clean-up of imported permissions: users whose last login (old records or portal) is before ` +
      `${utc(result.cutoff)} (${options.months} months before ${options.before}), or who never logged in.`,
    '',
  ];
  if (result.employers.length === 0) {
    lines.push('No such users.');
    return lines.join('\n');
  }
  lines.push(
    ...table(
      ['Organisation number', 'Employer', 'Persons', 'Never logged in', 'Permissions'],
      [
        ...result.employers.map((employer) => [
          formatOrganisationNumber(employer.organisationNumber),
          employer.name,
          employer.persons,
          employer.neverLoggedIn,
          employer.permissions,
        ]),
        ['Total', '', result.total.persons, result.total.neverLoggedIn, result.total.permissions],
      ],
      2,
    ),
    '',
    result.applied
      ? `Removed ${number(result.total.permissions)} permissions of ${number(result.total.persons)} persons. ` +
          'No email was sent.'
      : 'Dry run: nothing was changed. Run again with --apply to remove these permissions.',
  );
  return lines.join('\n');
}
