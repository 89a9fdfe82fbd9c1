/**
 * The periodic access review at national scale: `npm run bench:reviews` (uses DATABASE_URL's server, or the embedded
 * one). Fills a new database with the benchmark generator (`--scale large`, the default: 1,000,000 persons, 20,000
 * employers, 60,000 codes, 10,000,000 permissions), opens every employer's review at once (the first night after
 * ACCESS_REVIEW_MONTHS is turned on), times the review page of the largest employer's administrator (10,000 users,
 * 100,000 items), a decision on a page of 50, and the closing run at the deadline with nothing else decided (the
 * worst case: every other permission ends). Prints the figures; the database is dropped afterwards.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config';
import { runAccessReviews, type ReviewSettings } from '../../src/jobs/reviews';
import { reviewsService, type ReviewFilter } from '../../src/reviews/service';
import { generate } from './generator';
import { scaleFromArgs } from './scale';
import { printTimed, runScript, withScratchDatabase } from './scratch';

const scale = scaleFromArgs(process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['--scale', 'large']);
/** The generator's ids: kind 1 persons, kind 2 employers; person 0 administers every code of employer 0. */
const uid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The median of `runs` timings of the work, in milliseconds. */
async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

runScript(() =>
  withScratchDatabase(
    'portal_bench_reviews',
    async (db, url) => {
      await printTimed(`data (${scale.name} scale)`, () => generate(url, scale, { progress: false }));
      const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' });
      const settings: ReviewSettings = { months: 6, days: 30, reminderDays: 7, baseUrl: config.baseUrl };
      const openedAt = new Date();
      const opening = await printTimed('review job: opening every review', () =>
        runAccessReviews(db, settings, openedAt),
      );
      const count = async (table: string) =>
        Number(((await db(table).count({ count: '*' })) as [{ count: string }])[0].count);
      console.log(
        `reviews opened ${opening.opened.toLocaleString('en')}, items ${(await count('access_review_items')).toLocaleString('en')}, ` +
          `emails queued ${(await count('outbox')).toLocaleString('en')}`,
      );
      await db.raw('analyze access_reviews, access_review_items');

      const reviews = reviewsService(db, () => Date.now(), config);
      const scope = {
        employerId: uid(2, 0),
        actor: { type: 'person' as const, personId: uid(1, 0), role: 'administrator' as const, requestId: undefined },
      };
      const show = (filter: ReviewFilter) => reviews.current(scope, filter);
      const first = await show({ openOnly: false, page: 1 });
      if (!first) throw new Error('no review open for the largest employer');
      console.log(
        `largest employer's administrator: ${first.total.toLocaleString('en')} items, ${first.pageCount} pages`,
      );
      const timings: [string, ReviewFilter][] = [
        ['review page 1 (all codes), median of 7', { openOnly: false, page: 1 }],
        ['review page, the last (all codes), median of 7', { openOnly: false, page: 1_000_000 }],
        ['review page 1, not yet reviewed, median of 7', { openOnly: true, page: 1 }],
        ['review page 1, one code, median of 7', { codeId: first.codes[0]?.id, openOnly: false, page: 1 }],
      ];
      for (const [label, filter] of timings) {
        console.log(`${label.padEnd(44)} ${(await median(7, () => show(filter))).toFixed(1).padStart(9)} ms`);
      }
      const page = first.items.map((item) => item.id);
      await printTimed('confirming a page of 50', () => reviews.decide(scope, { kind: 'confirm', itemIds: page }), {
        unit: 'ms',
        width: 44,
      });
      const removed = (await show({ openOnly: true, page: 1 }))?.items.slice(0, 10).map((item) => item.id) ?? [];
      await printTimed(
        'removing 10 (revoked, audited, emailed)',
        () => reviews.decide(scope, { kind: 'remove', itemIds: removed }),
        { unit: 'ms', width: 44 },
      );

      const review = await db('access_reviews')
        .where({ employer_id: uid(2, 0) })
        .first<{ deadline_at: Date }>();
      const closing = await printTimed('review job: closing every review (worst case)', () =>
        runAccessReviews(db, settings, new Date(review.deadline_at.getTime() + DAY_MS / 24)),
      );
      console.log(
        `reviews closed ${closing.closed.toLocaleString('en')}, permissions ended ${closing.expired.toLocaleString('en')}, ` +
          `emails queued ${(await count('outbox')).toLocaleString('en')}`,
      );
      console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    },
    { min: 1, max: 4 },
  ),
);
