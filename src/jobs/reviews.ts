import type { Knex } from 'knex';
import { recordAudit, recordAudits } from '../audit/service';
import { enqueueEmails, type OutgoingEmail } from '../mail/outbox';
import { endMomentOf, lastDayOf, stockholmDay } from '../permissions/end-date';
import { administratorsOf } from '../requests/repository';
import { reviewsPaths } from '../reviews/paths';
import { paths } from '../paths';
import { tellEnded, type EndedPermission } from './ended-permissions';

export interface ReviewSettings {
  /** A review opens this many months after the last one opened (ACCESS_REVIEW_MONTHS); 0: reviews are off. */
  months: number;
  /** Days from opening to the last day of the review (ACCESS_REVIEW_DAYS); it ends at midnight after it. */
  days: number;
  /** The reminder goes out this many days before the deadline (ACCESS_REVIEW_REMINDER_DAYS). */
  reminderDays: number;
  /** The portal's public address, for the links in the emails. */
  baseUrl: string;
}

export interface ReviewRun {
  opened: number;
  reminded: number;
  closed: number;
  /** Permissions ended because nobody decided them by the deadline. */
  expired: number;
}

const SYSTEM = { type: 'system', requestId: undefined } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** No requester to leave out when the job addresses administrators. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

interface ReviewRow {
  id: string;
  employer_id: string;
  employer_name: string;
  opened_at: Date;
  deadline_at: Date;
}

/** One email per recipient (administrators of the codes; the orderer and delegates for a code without one). */
async function tellAdministrators(
  trx: Knex.Transaction,
  review: ReviewRow,
  undecided: { employer_code_id: string; count: number }[],
  template: 'access-review-opened' | 'access-review-reminder',
  settings: ReviewSettings,
  at: Date,
  emails: OutgoingEmail[],
): Promise<void> {
  const codeIds = undecided.map((row) => row.employer_code_id);
  if (codeIds.length === 0) return;
  const recipients = await administratorsOf(trx, review.employer_id, codeIds, NOBODY, at);
  for (const recipient of recipients) {
    const count = undecided
      .filter((row) => recipient.code_ids.includes(row.employer_code_id))
      .reduce((sum, row) => sum + row.count, 0);
    emails.push({
      to: recipient.email,
      recipientPersonId: recipient.id,
      language: recipient.preferred_language,
      template,
      data: {
        name: recipient.display_name,
        employerName: review.employer_name,
        count,
        deadline: lastDayOf(review.deadline_at),
        link: `${settings.baseUrl}${reviewsPaths.review}`,
      },
    });
  }
}

/** Undecided items whose permission still holds, counted per code. */
async function undecidedPerCode(trx: Knex.Transaction, reviewId: string, at: Date) {
  const { rows } = await trx.raw<{ rows: { employer_code_id: string; count: number }[] }>(
    `select i.employer_code_id, count(*)::int as count
       from access_review_items i join permissions p on p.id = i.permission_id
      where i.review_id = :reviewId and i.decision is null
        and p.revoked_at is null and (p.expires_at is null or p.expires_at > :at)
      group by i.employer_code_id`,
    { reviewId, at },
  );
  return rows;
}

/**
 * Opens a review for every employer with current permissions, none open, and none opened within `months`: the current
 * permissions become its items (one statement), `access_review.opened` is audited and the administrators emailed.
 */
async function openReviews(trx: Knex.Transaction, settings: ReviewSettings, at: Date, emails: OutgoingEmail[]) {
  // the deadline is the end of the last day (midnight Swedish time), as for time-limited permissions
  const deadline = endMomentOf(stockholmDay(new Date(at.getTime() + settings.days * DAY_MS)));
  const { rows } = await trx.raw<{ rows: ReviewRow[] }>(
    `insert into access_reviews (employer_id, opened_at, deadline_at)
     select e.id, :at, :deadline
       from employers e
      where exists (select 1 from permissions p join employer_codes c on c.id = p.employer_code_id
                     where c.employer_id = e.id and p.revoked_at is null
                       and (p.expires_at is null or p.expires_at > :at))
        and not exists (select 1 from access_reviews r where r.employer_id = e.id
                          and (r.closed_at is null
                               or r.opened_at > :at::timestamptz - make_interval(months => :months)))
     returning id, employer_id, opened_at, deadline_at,
               (select name from employers where id = employer_id) as employer_name`,
    { at, deadline, months: settings.months },
  );
  if (rows.length === 0) return 0;
  await trx.raw(
    `insert into access_review_items (review_id, permission_id, employer_code_id, person_id, service_id,
                                      code, person_name, service_order)
     select r.id, p.id, p.employer_code_id, p.person_id, p.service_id, c.code, u.display_name, s.sort_order
       from access_reviews r
       join employer_codes c on c.employer_id = r.employer_id
       join permissions p on p.employer_code_id = c.id
       join persons u on u.id = p.person_id
       join services s on s.id = p.service_id
      where r.id = any(:ids::uuid[]) and p.revoked_at is null and (p.expires_at is null or p.expires_at > :at)`,
    { ids: `{${rows.map((row) => row.id).join(',')}}`, at },
  );
  for (const review of rows) {
    const undecided = await undecidedPerCode(trx, review.id, at);
    await recordAudit(
      trx,
      {
        actor: SYSTEM,
        action: 'access_review.opened',
        employerId: review.employer_id,
        subjectType: 'access_review',
        subjectId: review.id,
        after: {
          deadlineAt: review.deadline_at.toISOString(),
          items: undecided.reduce((sum, row) => sum + row.count, 0),
        },
      },
      at,
    );
    await tellAdministrators(trx, review, undecided, 'access-review-opened', settings, at, emails);
  }
  return rows.length;
}

const OPEN_REVIEW_COLUMNS = `r.id, r.employer_id, e.name as employer_name, r.opened_at, r.deadline_at`;

/** One reminder per review, `reminderDays` before its deadline, to those with undecided items on their codes. */
async function remind(trx: Knex.Transaction, settings: ReviewSettings, at: Date, emails: OutgoingEmail[]) {
  const { rows } = await trx.raw<{ rows: ReviewRow[] }>(
    `update access_reviews r set reminded_at = :at
       from employers e
      where e.id = r.employer_id and r.closed_at is null and r.reminded_at is null and r.deadline_at > :at
        and r.deadline_at <= :at::timestamptz + make_interval(days => :days)
     returning ${OPEN_REVIEW_COLUMNS}`,
    { at, days: settings.reminderDays },
  );
  for (const review of rows) {
    await tellAdministrators(
      trx,
      review,
      await undecidedPerCode(trx, review.id, at),
      'access-review-reminder',
      settings,
      at,
      emails,
    );
  }
  return rows.length;
}

interface ExpiredRow extends EndedPermission {
  permission_id: string;
}

/**
 * Ends the undecided permissions of a review past its deadline, revoked at the deadline moment by no person
 * (`permission.review_expired`, one row per person and code; the user emailed), closes the review
 * (`access_review.closed`) and sends the orderer and delegates the summary.
 */
async function closeReview(
  trx: Knex.Transaction,
  review: ReviewRow,
  settings: ReviewSettings,
  at: Date,
  emails: OutgoingEmail[],
): Promise<number> {
  // one statement however many there are (a list of ids as parameters stops at 65,535: the largest employer has more)
  const { rows } = await trx.raw<{ rows: ExpiredRow[] }>(
    `with due as (
       select i.id as item_id, p.id from access_review_items i join permissions p on p.id = i.permission_id
        where i.review_id = :reviewId and i.decision is null
          and p.revoked_at is null and (p.expires_at is null or p.expires_at > :deadline)
        for update of p
     ), ended as (
       update permissions p set revoked_at = :deadline from due where p.id = due.id
       returning p.id, p.person_id, p.employer_code_id, p.service_id
     ), marked as (
       update access_review_items i set decision = 'expired', decided_at = :deadline from due where i.id = due.item_id
     )
     select ended.id as permission_id, ended.person_id, c.employer_id, e.name as employer_name, ended.employer_code_id,
            c.code, s.key as service_key, s.name as service_name, u.email, u.display_name, u.preferred_language
       from ended
       join employer_codes c on c.id = ended.employer_code_id
       join employers e on e.id = c.employer_id
       join services s on s.id = ended.service_id
       join persons u on u.id = ended.person_id
      order by c.code, u.display_name, u.id, s.sort_order`,
    { reviewId: review.id, deadline: review.deadline_at },
  );
  const told = tellEnded(rows, {
    action: 'permission.review_expired',
    template: 'access-review-expired',
    permission: (row) => ({ id: row.permission_id }),
    after: { reviewId: review.id, endedAt: review.deadline_at.toISOString() },
    link: `${settings.baseUrl}${paths.overview}`,
  });
  emails.push(...told.emails);
  await recordAudits(trx, told.audits, at);
  await trx('access_reviews').where('id', review.id).update({ closed_at: at });
  const counts = await decisionCounts(trx, review.id);
  await recordAudit(
    trx,
    {
      actor: SYSTEM,
      action: 'access_review.closed',
      employerId: review.employer_id,
      subjectType: 'access_review',
      subjectId: review.id,
      after: counts,
    },
    at,
  );
  const managers = await trx('role_assignments as r')
    .join('persons as p', 'p.id', 'r.person_id')
    .where('r.employer_id', review.employer_id)
    .whereIn('r.role', ['orderer', 'delegate'])
    .whereNull('r.revoked_at')
    .where((query) => {
      void query.whereNull('r.valid_until').orWhere('r.valid_until', '>', at);
    })
    .whereNotNull('p.email')
    .distinct<{ id: string; email: string; display_name: string; preferred_language: 'sv' | 'en' }[]>(
      'p.id',
      'p.email',
      'p.display_name',
      'p.preferred_language',
    );
  for (const manager of managers) {
    emails.push({
      to: manager.email,
      recipientPersonId: manager.id,
      language: manager.preferred_language,
      template: 'access-review-summary',
      data: {
        name: manager.display_name,
        employerName: review.employer_name,
        ...counts,
        link: `${settings.baseUrl}/oversikt`,
      },
    });
  }
  return rows.length;
}

/** What became of a review's items: confirmed, removed, expired (an item ended otherwise counts in none). */
export async function decisionCounts(db: Knex, reviewId: string) {
  const row = await db('access_review_items')
    .where('review_id', reviewId)
    .first<{ confirmed: number; removed: number; expired: number }>(
      db.raw(`count(*) filter (where decision = 'confirmed')::int as confirmed`),
      db.raw(`count(*) filter (where decision = 'removed')::int as removed`),
      db.raw(`count(*) filter (where decision = 'expired')::int as expired`),
    );
  return { confirmed: row.confirmed, removed: row.removed, expired: row.expired };
}

/**
 * The daily review run: closes the reviews past their deadline, then reminds before the deadline and opens the
 * reviews that are due; emails through the outbox in the same transaction as what they tell. Each review is closed
 * in its own transaction (the largest employer's takes minutes at national scale: one failure or restart loses only
 * the review at hand, and its locks go at its commit); runs on several instances are serialised by an advisory lock
 * per transaction. With `months` 0 nothing opens (reviews opened before are still reminded of and closed).
 */
export async function runAccessReviews(db: Knex, settings: ReviewSettings, now: Date): Promise<ReviewRun> {
  const lock = (trx: Knex.Transaction) => trx.raw(`select pg_advisory_xact_lock(hashtext('portal:access-reviews'))`);
  let closed = 0;
  let expired = 0;
  for (;;) {
    const ended = await db.transaction(async (trx) => {
      await lock(trx);
      const { rows } = await trx.raw<{ rows: ReviewRow[] }>(
        `select ${OPEN_REVIEW_COLUMNS} from access_reviews r join employers e on e.id = r.employer_id
          where r.closed_at is null and r.deadline_at <= :now order by r.deadline_at, r.id limit 1 for update of r`,
        { now },
      );
      const review = rows[0];
      if (!review) return undefined;
      const emails: OutgoingEmail[] = [];
      const count = await closeReview(trx, review, settings, now, emails);
      await enqueueEmails(trx, emails, now);
      return count;
    });
    if (ended === undefined) break;
    closed += 1;
    expired += ended;
  }
  return db.transaction(async (trx) => {
    await lock(trx);
    const emails: OutgoingEmail[] = [];
    const reminded = await remind(trx, settings, now, emails);
    const opened = settings.months > 0 ? await openReviews(trx, settings, now, emails) : 0;
    await enqueueEmails(trx, emails, now);
    return { opened, reminded, closed, expired };
  });
}
