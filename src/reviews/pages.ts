import type { Request, RequestHandler, Response } from 'express';
import { adminScope } from '../permissions/context';
import { lastDayOf } from '../permissions/end-date';
import { serviceName } from '../permissions/service';
import { pathTo, paths } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { forbidden } from '../web/http-errors';
import { reviewsPaths } from './paths';
import { decisionFormSchema, reviewQuerySchema, staffQuerySchema, type ReviewQuery } from './schemas';
import type { ReviewsService } from './service';

/** The outcome shown after a redirect (post-redirect-get); only these words are read from the query. */
const DONE = ['confirm', 'remove'] as const;
const doneOf = (req: Request) => DONE.find((word) => word === req.query.klart);
const countOf = (req: Request) =>
  typeof req.query.antal === 'string' && /^[0-9]{1,6}$/.test(req.query.antal) ? Number(req.query.antal) : 0;

/** The review page's address for a list (the code, only the open items) and a page of it. */
export function reviewHref(filter: ReviewQuery, page: number, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  if (filter.codeId) query.set('kod', filter.codeId);
  if (filter.openOnly) query.set('visa', 'oavgjorda');
  if (page > 1) query.set('sida', String(page));
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  const search = query.toString();
  return search ? `${reviewsPaths.review}?${search}` : reviewsPaths.review;
}

async function render(
  reviews: ReviewsService,
  req: Request,
  res: Response,
  filter: ReviewQuery,
  problem?: { status: number; errors?: FieldError[]; refusal?: string; ticked?: Set<string> },
): Promise<void> {
  const current = await reviews.current(adminScope(req, res), filter);
  const errors = problem?.errors ?? [];
  const rows =
    current?.items.map((item) => ({
      id: item.id,
      checkboxId: `item-${item.id}`,
      personName: item.person_name,
      code: item.code,
      service: serviceName({ key: item.service_key, name: item.service_name }, res.locals.lang),
      state: item.decision ?? (item.ended ? 'ended' : 'open'),
      checked: problem?.ticked?.has(item.id) ?? false,
    })) ?? [];
  const firstOpen = rows.find((row) => row.state === 'open');
  const page = current?.page ?? 1;
  res.status(problem?.status ?? 200).render('reviews/review', {
    review: current && {
      deadline: lastDayOf(current.review.deadline_at),
      done: current.done,
      total: current.total,
      matching: current.matching,
      page,
      pageCount: current.pageCount,
      codes: current.codes,
    },
    filter: { ...filter, page },
    rows,
    done: doneOf(req),
    count: countOf(req),
    refusal: problem?.refusal,
    errors: errors.map((error) => ({ ...error, field: firstOpen?.checkboxId ?? 'items' })),
    pageHref: (n: number) => reviewHref(filter, n),
  });
}

export function view(reviews: ReviewsService): RequestHandler {
  return async (req, res) => {
    await render(reviews, req, res, reviewQuerySchema.parse(req.query));
  };
}

export function decide(reviews: ReviewsService): RequestHandler {
  return async (req, res) => {
    // the list the person decided from, to come back to (hidden fields; unreadable ones are the defaults)
    const filter = reviewQuerySchema.parse(req.body);
    const form = parseForm(decisionFormSchema, req.body);
    if (!form.ok) {
      const typed = form.input.items;
      const ticked = new Set(Array.isArray(typed) ? typed.map(String) : typeof typed === 'string' ? [typed] : []);
      await render(reviews, req, res, filter, { status: 422, errors: form.errors.slice(0, 1), ticked });
      return;
    }
    const result = await reviews.decide(adminScope(req, res), form.data);
    if (result.status === 'forbidden') throw forbidden('review item outside the administered codes');
    if (result.status === 'no-review') {
      await render(reviews, req, res, filter, { status: 409, refusal: 'reviews.refused.noReview' });
      return;
    }
    res.redirect(303, reviewHref(filter, filter.page, { klart: result.kind, antal: String(result.count) }));
  };
}

const day = (value: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(value);

/** Staff: each employer's latest review and how far it has come. */
export function staffList(reviews: ReviewsService): RequestHandler {
  return async (req, res) => {
    const { sida } = staffQuerySchema.parse(req.query);
    const result = await reviews.latest(sida);
    res.render('reviews/staff', {
      result,
      rows: result.rows.map((row) => ({
        employerName: row.employer_name,
        employerHref: pathTo(paths.staff.employer, { employerId: row.employer_id }),
        openedAt: day(row.opened_at),
        deadline: lastDayOf(row.deadline_at),
        closed: row.closed_at !== null,
        decided: row.decided,
        total: row.total,
        percent: row.total === 0 ? 100 : Math.floor((row.decided * 100) / row.total),
      })),
      pageHref: (page: number) => `${reviewsPaths.staff}?sida=${page}`,
    });
  };
}
