import { Router, type RequestHandler } from 'express';
import { requireEmployer } from '../context/middleware';
import { isAdministratorOfAny } from '../context/permissions';
import { paths } from '../paths';
import type { ContextService } from '../context/service';
import { requireAdministration } from '../requests/pages';
import { backOfficeLocals } from '../staff/context';
import { requireStaff } from '../web/current-person';
import * as pages from './pages';
import { reviewsPaths } from './paths';
import type { ReviewsService } from './service';

/**
 * The administrators' review (those who administer a code here; the service checks each item's code again) and the
 * staff's list of reviews.
 */
export function reviewsRoutes(services: { reviews: ReviewsService; context: ContextService }): Router {
  const { reviews } = services;
  const router = Router();
  // the start page and the users overview link to an open review (both need the employer chosen anyway)
  const notice: RequestHandler = async (_req, res, next) => {
    const context = res.locals.employerContext;
    if (context && isAdministratorOfAny(context)) res.locals.reviewOpen = await reviews.isOpen(context.employer.id);
    next();
  };
  router.get(paths.overview, requireEmployer(services.context), notice);
  router.get(paths.permissions.users, requireEmployer(services.context), notice);
  router.use(reviewsPaths.review, requireEmployer(services.context), requireAdministration);
  router.get(reviewsPaths.review, pages.view(reviews));
  router.post(reviewsPaths.review, pages.decide(reviews));
  router.get(reviewsPaths.staff, requireStaff, backOfficeLocals, pages.staffList(reviews));
  return router;
}
