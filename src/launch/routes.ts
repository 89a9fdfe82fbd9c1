import { Router, type RequestHandler } from 'express';
import { paths } from '../paths';
import { viewHelpers } from '../staff/view-helpers';
import { requireStaff } from '../web/current-person';
import * as dashboardPage from './dashboard-page';
import * as letterPage from './letter-page';
import * as lists from './lists';
import type { LaunchService } from './service';

/** The back office's helpers and its flash (when this router, not the staff router, is the first to take it). */
const launchLocals: RequestHandler = (req, res, next) => {
  if (req.session.staffFlash) {
    res.locals.staffFlash = req.session.staffFlash;
    delete req.session.staffFlash;
  }
  Object.assign(res.locals, viewHelpers);
  next();
};

/** The launch pages of the back office: staff only (anonymous: the login; anyone else: 403). */
export function launchRoutes(services: { launch: LaunchService }): Router {
  const { launch } = services;
  const router = Router();
  router.use(paths.launch.dashboard, requireStaff, launchLocals);

  router.get(paths.launch.dashboard, dashboardPage.view(launch));
  router.get(paths.launch.employers, lists.employers(launch));
  router.get(paths.launch.employersCsv, lists.employersCsv(launch));
  router.get(paths.launch.codes, lists.codes(launch));
  router.get(paths.launch.codesCsv, lists.codesCsv(launch));
  router.get(paths.launch.imported, lists.imported(launch));
  router.get(paths.launch.importedCsv, lists.importedCsv(launch));
  router.get(paths.launch.letter, letterPage.view(launch));
  router.post(paths.launch.letter, letterPage.submit(launch));
  router.get(paths.launch.letterSent, letterPage.sent(launch));
  return router;
}
