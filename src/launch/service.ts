import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import { enqueueEmail } from '../mail/outbox';
import type { MailData } from '../mail/templates';
import { streamCsv } from './csv';
import * as repository from './repository';
import type { Audience, EmployerFilter, ImportedFilter, LetterInput } from './schemas';

export const LIST_PAGE_SIZE = 50;
/** How many already-sent employers the confirmation step lists by name (the rest are counted). */
export const CONFIRMATION_LIST_LIMIT = 500;

export interface ListPage<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageCount: number;
}

export type SendOutcome =
  | { status: 'sent'; submissionId: string; letters: number; resent: number }
  | { status: 'duplicate'; submissionId: string }
  | { status: 'nothing-to-send' }
  | {
      status: 'needs-confirmation';
      audience: Audience;
      alreadySent: repository.RecipientRow[];
      alreadySentTotal: number;
      notYetSent: number;
      digest: string;
    };

/** The employers that already got the letter, as one value: a confirmation is for exactly this list. */
export function digestOf(employerIds: string[]): string {
  return createHash('sha256')
    .update([...employerIds].sort().join('\n'))
    .digest('hex');
}

/** Another submission holding the same key got there first (two submits at once, past the lock). */
function isSameSubmission(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'launch_letters_submission_employer_key';
}

function pageOf<Row>(result: { rows: Row[]; total: number }, page: number): ListPage<Row> {
  return { ...result, page, pageCount: Math.max(1, Math.ceil(result.total / LIST_PAGE_SIZE)) };
}

const paging = (page: number) => ({ limit: LIST_PAGE_SIZE, offset: (page - 1) * LIST_PAGE_SIZE });

/** What the letter shows for one employer. */
export function letterData(
  employer: Pick<repository.RecipientRow, 'name' | 'codes'>,
  link: string,
): MailData<'launch-letter'> {
  return { employerName: employer.name, codes: employer.codes, link };
}

/**
 * The launch: the letter to every employer's registry address, and the figures staff follow the launch by. The
 * figures and lists are read-only, set-based queries; sending owns its transaction, with one outbox row, one
 * `launch_letters` row and one audit row per employer.
 */
export function launchService(db: Knex, now: () => number, options: { baseUrl: string }) {
  const link = `${options.baseUrl.replace(/\/$/, '')}/`;

  return {
    link,

    figures(): Promise<repository.Figures> {
      return repository.figures(db, new Date(now()));
    },

    async employers(filter: EmployerFilter, page: number): Promise<ListPage<repository.EmployerProgressRow>> {
      return pageOf(await repository.employers(db, filter, new Date(now()), paging(page)), page);
    },

    async codesWithoutAdministrator(page: number): Promise<ListPage<repository.CodeGapRow>> {
      return pageOf(await repository.codesWithoutAdministrator(db, new Date(now()), paging(page)), page);
    },

    async importedUsers(filter: ImportedFilter, page: number): Promise<ListPage<repository.ImportedUserRow>> {
      return pageOf(await repository.importedUsers(db, filter, new Date(now()), paging(page)), page);
    },

    exportEmployers(filter: EmployerFilter, out: Writable, headers: string[], fields: CsvFields<'employers'>) {
      return streamCsv(db, repository.employersStatement(db, filter, new Date(now())), out, headers, fields);
    },

    exportCodes(out: Writable, headers: string[], fields: CsvFields<'codes'>) {
      return streamCsv(db, repository.codesStatement(db, new Date(now())), out, headers, fields);
    },

    exportImported(filter: ImportedFilter, out: Writable, headers: string[], fields: CsvFields<'imported'>) {
      return streamCsv(db, repository.importedStatement(db, filter, new Date(now())), out, headers, fields);
    },

    /** The letter form's numbers: per audience, how many will get it, how many already did, how many cannot. */
    audienceCounts(): Promise<Record<Audience, repository.AudienceCounts>> {
      return repository.audienceCounts(db, new Date(now()));
    },

    /** The first employers without a registry address (they cannot be reached), for staff to fix. */
    async unreachable(): Promise<ListPage<repository.EmployerProgressRow>> {
      return pageOf(await repository.employers(db, 'no-registry-email', new Date(now()), paging(1)), 1);
    },

    /** An employer the preview can show the letter for (the first with a registry address), if there is one. */
    async previewEmployer(): Promise<Pick<repository.RecipientRow, 'name' | 'codes'> | undefined> {
      const [first] = await repository.recipients(db, 'all', new Date(now()), 1);
      return first;
    },

    sending(submissionId: string): Promise<repository.SendingSummary | undefined> {
      return repository.sending(db, submissionId);
    },

    /**
     * Sends the letter to the audience. Employers that already got it are left out unless the staff member confirmed
     * exactly that list (its digest); with some already sent and no decision yet, nothing is sent and the outcome
     * lists them. One sending at a time (an advisory lock), and a form's key is used once: a double submit sends once.
     */
    async send(input: LetterInput, actor: Actor & { type: 'person' }): Promise<SendOutcome> {
      const at = new Date(now());
      try {
        return await db.transaction(async (trx) => {
          await trx.raw(`select pg_advisory_xact_lock(hashtext('portal:launch-letter'))`);
          if (await repository.submissionExists(trx, input.submissionId)) {
            return { status: 'duplicate', submissionId: input.submissionId };
          }
          const recipients = await repository.recipients(trx, input.audience, at);
          const already = recipients.filter((recipient) => recipient.already_sent);
          const digest = digestOf(already.map((recipient) => recipient.id));
          const resend = input.decision === 'alla' && input.resendDigest === digest;
          if (already.length > 0 && input.decision !== 'nya' && !resend) {
            return {
              status: 'needs-confirmation',
              audience: input.audience,
              alreadySent: already.slice(0, CONFIRMATION_LIST_LIMIT),
              alreadySentTotal: already.length,
              notYetSent: recipients.length - already.length,
              digest,
            };
          }
          const targets = resend ? recipients : recipients.filter((recipient) => !recipient.already_sent);
          if (targets.length === 0) return { status: 'nothing-to-send' };
          const ids = await repository.insertLetters(
            trx,
            { submissionId: input.submissionId, audience: input.audience, sentBy: actor.personId, at },
            targets.map((target) => ({
              employer_id: target.id,
              recipient_email: target.registry_email,
              resent: target.already_sent,
            })),
          );
          for (const target of targets) {
            await enqueueEmail(
              trx,
              { to: target.registry_email, language: 'sv', template: 'launch-letter', data: letterData(target, link) },
              at,
            );
            await recordAudit(
              trx,
              {
                actor,
                action: 'launch_letter.sent',
                employerId: target.id,
                subjectType: 'launch_letter',
                subjectId: ids.get(target.id),
                after: {
                  recipientEmail: target.registry_email,
                  audience: input.audience,
                  resent: target.already_sent,
                  submissionId: input.submissionId,
                },
              },
              at,
            );
          }
          return {
            status: 'sent',
            submissionId: input.submissionId,
            letters: targets.length,
            resent: targets.filter((target) => target.already_sent).length,
          };
        });
      } catch (error) {
        if (isSameSubmission(error)) return { status: 'duplicate', submissionId: input.submissionId };
        throw error;
      }
    },
  };
}

interface CsvRows {
  employers: repository.EmployerProgressRow;
  codes: repository.CodeGapRow;
  imported: repository.ImportedUserRow;
}

/** How one row of a list becomes the CSV's fields (the handler knows the language). */
export type CsvFields<K extends keyof CsvRows> = (row: CsvRows[K]) => string[];

export type LaunchService = ReturnType<typeof launchService>;
