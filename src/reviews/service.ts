import type { Knex } from 'knex';
import { recordAudits, type AuditEntry } from '../audit/service';
import type { Config } from '../config';
import { groupBy } from '../domain/group-by';
import { administeredCodes } from '../permissions/repository';
import { permissionsService, type AdminScope } from '../permissions/service';
import * as repository from './repository';
import type { DecisionInput } from './schemas';

export type { ItemView, StaffRow } from './repository';

export const REVIEWS_PER_PAGE = 50;

/** What the review page lists: one code (ignored unless the person administers it) or all; open items or all. */
export interface ReviewFilter {
  codeId?: string;
  openOnly: boolean;
  page: number;
}

/** What a decision came to; anything but `done` changed nothing. */
export type DecisionResult =
  { status: 'done'; kind: 'confirm' | 'remove'; count: number } | { status: 'no-review' } | { status: 'forbidden' };

type ReviewsConfig = Pick<Config, 'baseUrl' | 'inactivity'>;

/** Decided, or ended by other means: nothing left to do. */
const settled = (item: repository.ItemView) => item.decision !== null || item.ended;

/** The administrators confirm or remove the permissions of an open review on the codes they administer. */
export function reviewsService(db: Knex, now: () => number, config: ReviewsConfig) {
  async function codeIdsOf(dbOrTrx: Knex, scope: AdminScope, at: Date): Promise<string[]> {
    const codes = await administeredCodes(dbOrTrx, scope.actor.personId, scope.employerId, at);
    return codes.map((code) => code.id);
  }

  /** One `permission.review_confirmed` row per person and code. */
  async function auditConfirmed(trx: Knex.Transaction, scope: AdminScope, items: repository.ItemView[], at: Date) {
    const entries: AuditEntry[] = [];
    for (const group of groupBy(items, (item) => `${item.person_id}:${item.employer_code_id}`)) {
      const [first] = group;
      if (!first) continue;
      entries.push({
        actor: scope.actor,
        action: 'permission.review_confirmed',
        employerId: scope.employerId,
        employerCodeId: first.employer_code_id,
        subjectType: 'person',
        subjectId: first.person_id,
        after: {
          personId: first.person_id,
          code: first.code,
          permissions: group.map((item) => ({ id: item.permission_id, service: item.service_key })),
        },
      });
    }
    await recordAudits(trx, entries, at);
  }

  return {
    /** Whether the employer has a review open now (for the links to it). */
    async isOpen(employerId: string): Promise<boolean> {
      return (await repository.openReview(db, employerId, new Date(now()))) !== undefined;
    },

    /**
     * The open review as the person sees it: the codes it administers, the progress over them, and one page of the
     * items the filter lists (a code among them, or all; only those still to decide, or all).
     */
    async current(scope: AdminScope, filter: ReviewFilter) {
      const at = new Date(now());
      const review = await repository.openReview(db, scope.employerId, at);
      if (!review) return undefined;
      const codes = await administeredCodes(db, scope.actor.personId, scope.employerId, at);
      const allIds = codes.map((code) => code.id);
      const codeIds = filter.codeId && allIds.includes(filter.codeId) ? [filter.codeId] : allIds;
      const listed = { codeIds, openOnly: filter.openOnly };
      const { total, done, matching } = await repository.countsOn(db, review.id, allIds, listed, at);
      const pageCount = Math.max(1, Math.ceil(matching / REVIEWS_PER_PAGE));
      const page = Math.min(filter.page, pageCount);
      const items = await repository.itemsOn(db, review.id, listed, at, {
        limit: REVIEWS_PER_PAGE,
        offset: (page - 1) * REVIEWS_PER_PAGE,
      });
      return { review, codes, items, total, done, matching, page, pageCount };
    },

    /**
     * Confirms (audited per person and code) or removes (through the permissions service's revoke: audited and
     * emailed as by hand) the items. Every id must be an item of the open review on a code the person administers,
     * or nothing is done. Items already settled are left alone.
     */
    async decide(scope: AdminScope, input: DecisionInput): Promise<DecisionResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const review = await repository.lockOpenReview(trx, scope.employerId, at);
        if (!review) return { status: 'no-review' };
        const items = await repository.lockItems(trx, review.id, input.itemIds, at);
        const codeIds = await codeIdsOf(trx, scope, at);
        if (items.length !== input.itemIds.length || items.some((item) => !codeIds.includes(item.employer_code_id))) {
          return { status: 'forbidden' };
        }
        const open = items.filter((item) => !settled(item));
        if (input.kind === 'confirm') {
          await repository.mark(
            trx,
            open.map((item) => item.id),
            'confirmed',
            scope.actor.personId,
            at,
          );
          await auditConfirmed(trx, scope, open, at);
          return { status: 'done', kind: 'confirm', count: open.length };
        }
        const permissions = permissionsService(trx, now, config);
        for (const item of open) {
          const revoked = await permissions.revoke(scope, item.person_id, item.employer_code_id, item.service_id);
          // the codes were checked above: a refusal here is a bug, and throwing rolls back the removals before it
          if (revoked.status !== 'changed' && revoked.status !== 'unchanged') throw new Error('revoke refused');
        }
        await repository.mark(
          trx,
          open.map((item) => item.id),
          'removed',
          scope.actor.personId,
          at,
        );
        return { status: 'done', kind: 'remove', count: open.length };
      });
    },

    /** Each employer's latest review with its completion, for staff; 50 a page. */
    async latest(page: number) {
      const { rows, total } = await repository.latestReviews(
        db,
        REVIEWS_PER_PAGE,
        (page - 1) * REVIEWS_PER_PAGE,
        new Date(now()),
      );
      return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / REVIEWS_PER_PAGE)) };
    },
  };
}

export type ReviewsService = ReturnType<typeof reviewsService>;
