import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import type { Outcome } from '../employers/service';
import { currentTerms } from '../onboarding/repository';
import * as repository from './terms-repository';
import type { TermsRow } from './terms-repository';
import type { TermsVersionInput } from './schemas';

export type { TermsRow } from './terms-repository';

const VERSION_TAKEN = { field: 'version', message: 'staff.terms.errors.versionTaken' };

/** A second save of the same label that got past the check first (two submits at once). */
function isVersionTaken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && constraint === 'terms_versions_version_key';
}

/**
 * The general terms of the self-service services, as staff publish them. A published version is never changed: an
 * orderer's signature names the version accepted, so a new text is always a new version.
 */
export function termsService(db: Knex, now: () => number) {
  return {
    /** The terms in force (as the orderer's form shows them) and the versions before it, newest first. */
    async overview(): Promise<{ current: TermsRow | undefined; earlier: TermsRow[] }> {
      const at = new Date(now());
      const [current, published] = await Promise.all([currentTerms(db, at), repository.publishedTerms(db, at)]);
      return { current, earlier: published.filter((terms) => terms.id !== current?.id) };
    },

    find(id: string): Promise<TermsRow | undefined> {
      return repository.findTerms(db, id);
    },

    /** Publishes a new version, in force from now; a label already used is refused. */
    async publish(input: TermsVersionInput, actor: Actor): Promise<Outcome<TermsRow>> {
      const at = new Date(now());
      try {
        return await db.transaction(async (trx) => {
          if (await repository.findTermsByVersion(trx, input.version)) {
            return { status: 'invalid', errors: [VERSION_TAKEN] };
          }
          const terms = await repository.insertTerms(trx, input, at);
          await recordAudit(
            trx,
            {
              actor,
              action: 'terms.published',
              subjectType: 'terms_version',
              subjectId: terms.id,
              after: { version: terms.version },
            },
            at,
          );
          return { status: 'saved', value: terms };
        });
      } catch (error) {
        if (isVersionTaken(error)) return { status: 'invalid', errors: [VERSION_TAKEN] };
        throw error;
      }
    },
  };
}

export type TermsService = ReturnType<typeof termsService>;
