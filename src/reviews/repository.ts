import type { Knex } from 'knex';

export interface ReviewRow {
  id: string;
  employer_id: string;
  opened_at: Date;
  deadline_at: Date;
  reminded_at: Date | null;
  closed_at: Date | null;
}

export interface ItemView {
  id: string;
  permission_id: string;
  person_id: string;
  employer_code_id: string;
  service_id: string;
  decision: 'confirmed' | 'removed' | 'expired' | null;
  person_name: string;
  code: string;
  service_key: string;
  service_name: string;
  /** The permission ended by other means (removed by hand, its end date passed): nothing to decide. */
  ended: boolean;
}

/** The employer's open review, its deadline not yet passed at `at` (lock it with `forUpdate` in a change). */
export function openReview(db: Knex, employerId: string, at: Date) {
  return db('access_reviews')
    .where({ employer_id: employerId })
    .whereNull('closed_at')
    .where('deadline_at', '>', at)
    .first<ReviewRow | undefined>('*');
}

/** The open review, locked: a decision waits for the job closing it, and then finds it closed. */
export function lockOpenReview(trx: Knex.Transaction, employerId: string, at: Date) {
  return trx('access_reviews')
    .where({ employer_id: employerId })
    .whereNull('closed_at')
    .where('deadline_at', '>', at)
    .forUpdate()
    .first<ReviewRow | undefined>('*');
}

/** Ended by other means: removed by hand, or its end date passed (`p` is the item's permission). */
const ENDED_SQL = '(p.revoked_at is not null or (p.expires_at is not null and p.expires_at <= ?))';

function itemQuery(db: Knex, reviewId: string, at: Date) {
  return db('access_review_items as i')
    .join('permissions as p', 'p.id', 'i.permission_id')
    .join('persons as u', 'u.id', 'i.person_id')
    .join('employer_codes as c', 'c.id', 'i.employer_code_id')
    .join('services as s', 's.id', 'i.service_id')
    .where('i.review_id', reviewId)
    .select<ItemView[]>(
      'i.id',
      'i.permission_id',
      'i.person_id',
      'i.employer_code_id',
      'i.service_id',
      'i.decision',
      'u.display_name as person_name',
      'c.code',
      's.key as service_key',
      's.name as service_name',
      db.raw(`${ENDED_SQL} as ended`, [at]),
    );
}

/** Which of the review's items a page lists: those of some codes, all or only the ones still to decide. */
export interface ItemFilter {
  codeIds: readonly string[];
  openOnly: boolean;
}

/**
 * In one pass over the review's items on the codes the person administers: how many there are, how many are settled
 * (decided, or ended otherwise), and how many the filter lists.
 */
export async function countsOn(
  db: Knex,
  reviewId: string,
  codeIds: readonly string[],
  filter: ItemFilter,
  at: Date,
): Promise<{ total: number; done: number; matching: number }> {
  const listed = filter.openOnly
    ? { sql: `i.employer_code_id = any(?::uuid[]) and i.decision is null and not ${ENDED_SQL}`, at: [at] }
    : { sql: 'i.employer_code_id = any(?::uuid[])', at: [] };
  const row = await db('access_review_items as i')
    .join('permissions as p', 'p.id', 'i.permission_id')
    .where('i.review_id', reviewId)
    .whereIn('i.employer_code_id', codeIds)
    .first<{ total: number; done: number; matching: number }>(
      db.raw('count(*)::int as total'),
      db.raw(`count(*) filter (where i.decision is not null or ${ENDED_SQL})::int as done`, [at]),
      db.raw(`count(*) filter (where ${listed.sql})::int as matching`, [[...filter.codeIds], ...listed.at]),
    );
  return { total: row.total, done: row.done, matching: row.matching };
}

/** The order of a review's items: by code, person and service (the index `access_review_items_page_idx`). */
const PAGE_ORDER = ['i.code', 'i.person_name', 'i.person_id', 'i.service_order'];

/**
 * One page of the items the filter lists, by code, person and service (the names as they were when the review
 * opened, shown as they are now). The page's ids come first from the items' own index, so that a page deep into the
 * largest employer's 100,000 items joins 50 rows, not all those before it.
 */
export function itemsOn(
  db: Knex,
  reviewId: string,
  filter: ItemFilter,
  at: Date,
  page: { limit: number; offset: number },
): Promise<ItemView[]> {
  const ids = db('access_review_items as i')
    .select('i.id')
    .where('i.review_id', reviewId)
    .whereIn('i.employer_code_id', filter.codeIds)
    .orderBy(PAGE_ORDER)
    .limit(page.limit)
    .offset(page.offset);
  if (filter.openOnly) {
    void ids.whereNull('i.decision').whereNotExists(function () {
      void this.select(db.raw('1'))
        .from('permissions as p')
        .whereRaw('p.id = i.permission_id')
        .whereRaw(ENDED_SQL, [at]);
    });
  }
  return itemQuery(db, reviewId, at).whereIn('i.id', ids).orderBy(PAGE_ORDER);
}

/** The items with these ids, locked (wherever they belong: the caller checks review and code). */
export function lockItems(trx: Knex.Transaction, reviewId: string, ids: readonly string[], at: Date) {
  return itemQuery(trx, reviewId, at).whereIn('i.id', ids).forUpdate('i');
}

export async function mark(
  trx: Knex.Transaction,
  ids: readonly string[],
  decision: 'confirmed' | 'removed',
  personId: string,
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await trx('access_review_items')
    .whereIn('id', ids)
    .whereNull('decision')
    .update({ decision, decided_by_person_id: personId, decided_at: at });
}

export interface StaffRow {
  id: string;
  employer_id: string;
  employer_name: string;
  opened_at: Date;
  deadline_at: Date;
  closed_at: Date | null;
  total: number;
  decided: number;
}

/** Each employer's latest review, open ones first, then the most recently opened; with its completion. */
export async function latestReviews(
  db: Knex,
  limit: number,
  offset: number,
  at: Date,
): Promise<{ rows: StaffRow[]; total: number }> {
  const { rows } = await db.raw<{ rows: StaffRow[] }>(
    `select r.id, r.employer_id, e.name as employer_name, r.opened_at, r.deadline_at, r.closed_at,
            (select count(*)::int from access_review_items i where i.review_id = r.id) as total,
            (select count(*)::int from access_review_items i join permissions p on p.id = i.permission_id
              where i.review_id = r.id and (i.decision is not null or ${ENDED_SQL.replace('?', ':at')})) as decided
       from (select distinct on (employer_id) * from access_reviews order by employer_id, opened_at desc) r
       join employers e on e.id = r.employer_id
      order by r.closed_at is null desc, r.opened_at desc, e.name, r.id
      limit :limit offset :offset`,
    { limit, offset, at },
  );
  const count = await db('access_reviews').countDistinct<{ count: string }[]>('employer_id as count');
  return { rows, total: Number(count[0]?.count ?? 0) };
}
