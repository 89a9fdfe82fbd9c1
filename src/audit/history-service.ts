import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { BOM, csvLine, write } from '../permissions/csv';
import { present, type Translate } from './present';
import * as repository from './repository';
import type { AuditCursor, AuditFilter, AuditRow, AuditScope, Choice } from './repository';

export const AUDIT_ROWS_PER_PAGE = 50;
const BATCH = 500;

/**
 * Who reads the audit log, from their roles (the employer context or the staff flag), never from the request:
 * agency staff read everything; the orderer and delegates their employer's rows; an administrator only the rows of
 * the codes it administers (rows of the employer without a code are not theirs); anyone the rows about themself.
 */
export type AuditReader =
  | { kind: 'staff' }
  | { kind: 'employer'; employerId: string }
  | { kind: 'administrator'; employerId: string; codeIds: readonly string[] }
  | { kind: 'self'; personId: string };

export interface HistoryQuery extends AuditFilter {
  cursor?: AuditCursor;
}

export interface HistoryChoices {
  persons: Choice[];
  /** Too many persons in the scope to list: the filter then offers only the one chosen (from a user's page). */
  morePersons: boolean;
  codes: Choice[];
}

/** Staff's employer filter: the employer chosen, or those matching the search (to choose from). */
export interface EmployerFilter {
  chosen: Choice | undefined;
  matches: Choice[];
  /** More employers match than are listed: the search should be narrower. */
  more: boolean;
}

/** At most this many employers are offered to choose from. */
const EMPLOYER_MATCHES = 20;

/** The person list reads the scope's newest rows only, and is left out beyond this many persons. */
const PERSON_LIMITS = { scan: 2_000, max: 300 };

type Checked = { status: 'forbidden' } | { status: 'ok'; scope: AuditScope; filter: AuditFilter };

function scopeOf(reader: AuditReader): AuditScope {
  switch (reader.kind) {
    case 'staff':
      return { kind: 'all' };
    case 'employer':
      return { kind: 'employer', employerId: reader.employerId };
    case 'administrator':
      return { kind: 'codes', employerId: reader.employerId, codeIds: reader.codeIds };
    default:
      return { kind: 'subject', personId: reader.personId };
  }
}

/** Reading the audit trail: pages of 50, newest first, filtered, and the same rows as CSV. */
export function auditHistoryService(db: Knex) {
  /** The filter as asked, or forbidden when it names a code (or employer) outside what the reader may read. */
  async function check(reader: AuditReader, query: AuditFilter): Promise<Checked> {
    const scope = scopeOf(reader);
    const filter: AuditFilter = {
      personId: query.personId,
      codeId: query.codeId,
      from: query.from,
      to: query.to,
      employerId: reader.kind === 'staff' ? query.employerId : undefined,
    };
    if (filter.codeId) {
      const allowed =
        reader.kind === 'administrator'
          ? reader.codeIds.includes(filter.codeId)
          : reader.kind === 'employer'
            ? await repository.codeExists(db, filter.codeId, reader.employerId)
            : reader.kind === 'staff'
              ? await repository.codeExists(db, filter.codeId, filter.employerId)
              : false;
      if (!allowed) return { status: 'forbidden' };
    }
    return { status: 'ok', scope, filter };
  }

  return {
    /** The choices of the filter form: persons in the reader's rows, the reader's codes, employers (staff). */
    async choices(reader: AuditReader, query: AuditFilter): Promise<HistoryChoices> {
      const scope = scopeOf(reader);
      const employerId = reader.kind === 'staff' ? query.employerId : undefined;
      const [codes, persons] = await Promise.all([
        reader.kind === 'employer'
          ? repository.codeChoices(db, reader.employerId)
          : reader.kind === 'administrator'
            ? repository.codeChoices(db, reader.employerId, reader.codeIds)
            : reader.kind === 'staff' && employerId
              ? repository.codeChoices(db, employerId)
              : Promise.resolve([]),
        // across every employer the list would be everyone: staff choose an employer first
        reader.kind === 'self' || (reader.kind === 'staff' && !employerId)
          ? Promise.resolve({ persons: [], more: false })
          : repository.personChoices(db, scope, { employerId }, PERSON_LIMITS),
      ]);
      const chosen = query.personId;
      const listed = persons.more ? [] : persons.persons;
      if (chosen && reader.kind !== 'self' && !listed.some((person) => person.id === chosen)) {
        const found = await repository.personInScope(db, scope, chosen);
        if (found) listed.push(found);
      }
      return { persons: listed, morePersons: persons.more, codes };
    },

    /**
     * Staff's employer filter, at any number of employers: the one chosen by id, or the one found by what was typed
     * when exactly one matches; several matches are offered to choose from.
     */
    async employerFilter(search: string, employerId: string | undefined): Promise<EmployerFilter> {
      if (employerId) return { chosen: await repository.employerChosen(db, employerId), matches: [], more: false };
      if (!search) return { chosen: undefined, matches: [], more: false };
      const matches = await repository.employerMatches(db, search, EMPLOYER_MATCHES + 1);
      if (matches.length === 1) return { chosen: matches[0], matches: [], more: false };
      return {
        chosen: undefined,
        matches: matches.slice(0, EMPLOYER_MATCHES),
        more: matches.length > EMPLOYER_MATCHES,
      };
    },

    async page(
      reader: AuditReader,
      query: HistoryQuery,
    ): Promise<{ status: 'forbidden' } | { status: 'ok'; rows: AuditRow[]; hasOlder: boolean; hasNewer: boolean }> {
      const checked = await check(reader, query);
      if (checked.status === 'forbidden') return checked;
      const page = await repository.auditPage(db, checked.scope, checked.filter, query.cursor, AUDIT_ROWS_PER_PAGE);
      return { status: 'ok', ...page };
    },

    /**
     * Writes every row of the filter as CSV (UTF-8 with BOM, `;`, CRLF) to `out`, read through a server-side cursor
     * in batches, so memory stays flat however long the history. False (nothing written) when forbidden.
     */
    async exportCsv(
      reader: AuditReader,
      query: AuditFilter,
      out: Writable,
      labels: { headers: string[]; t: Translate },
    ): Promise<boolean> {
      const checked = await check(reader, query);
      if (checked.status === 'forbidden') return false;
      const { sql, bindings } = repository.exportStatement(db, checked.scope, checked.filter);
      const showNumbers = reader.kind === 'staff';
      await write(out, BOM + csvLine(labels.headers));
      await db.transaction(
        async (trx) => {
          await trx.raw(`declare audit_export no scroll cursor for ${sql}`, bindings);
          for (;;) {
            const { rows } = await trx.raw<{ rows: AuditRow[] }>(`fetch ${String(BATCH)} from audit_export`);
            const lines = rows.map((row) => {
              const shown = present(row, labels.t, { showNumbers });
              return csvLine([
                shown.time,
                shown.who,
                shown.role,
                shown.what,
                shown.employer,
                shown.code,
                shown.whom,
                shown.whomNumber,
                shown.changes.join('; '),
                shown.requestId,
              ]);
            });
            if (lines.length > 0) await write(out, lines.join(''));
            if (rows.length < BATCH || out.destroyed) break;
          }
          await trx.raw('close audit_export');
        },
        { readOnly: true },
      );
      return true;
    },
  };
}

export type AuditHistoryService = ReturnType<typeof auditHistoryService>;
