import { Router, type Request, type Response } from 'express';
import { paths, pathTo } from '../paths';
import { requireStaff } from '../web/current-person';
import type { FieldError } from '../web/forms';
import { notFound } from '../web/http-errors';
import type { ApplicationsService } from './applications';
import { formatters } from './view-helpers';

const p = paths.onboarding.staff;
/** Notices shown after a redirect (PRG): the query names which one. */
const NOTICES = ['registered', 'resent', 'cancelled', 'activated'] as const;

const actorOf = (req: Request, res: Response) => ({
  personId: res.locals.currentPerson?.id ?? '',
  requestId: typeof req.id === 'string' ? req.id : undefined,
});
const applicationPath = (applicationId: string, notice?: (typeof NOTICES)[number]) =>
  `${pathTo(p.application, { applicationId })}${notice ? `?done=${notice}` : ''}`;

function applicationIdOf(req: Request): string {
  const value: unknown = req.params.applicationId;
  return typeof value === 'string' ? value : '';
}

/** The back office's pages for orderer applications; staff only. */
export function applicationRoutes(applications: ApplicationsService): Router {
  const router = Router();
  router.use(p.applications, requireStaff);

  router.get(p.applications, async (_req, res) => {
    const rows = await applications.list();
    res.render('onboarding/staff/list', {
      fmt: formatters(res.locals.lang),
      applications: rows.map((row) => ({
        ...row,
        displayStatus: applications.displayStatus(row),
        reference: applications.reference(row.id),
      })),
    });
  });

  async function renderNew(res: Response, values: Record<string, unknown>, errors: FieldError[]): Promise<void> {
    res.render('onboarding/staff/new', {
      employers: await applications.employers(),
      values,
      errors,
      fmt: formatters(res.locals.lang),
    });
  }

  router.get(p.newApplication, async (req, res) => {
    const employerId = typeof req.query.employer === 'string' ? req.query.employer : '';
    await renderNew(res, { employerId }, []);
  });

  router.post(p.newApplication, async (req, res) => {
    const outcome = await applications.register(req.body, actorOf(req, res));
    if (outcome.ok) {
      res.redirect(303, applicationPath(outcome.value.applicationId, 'registered'));
      return;
    }
    res.status(422);
    await renderNew(res, outcome.input, outcome.errors);
  });

  async function renderApplication(req: Request, res: Response, problem?: string, errors: FieldError[] = []) {
    const application = await applications.find(applicationIdOf(req));
    if (!application) throw notFound('no such application');
    const done = NOTICES.find((notice) => notice === req.query.done);
    res.render('onboarding/staff/show', {
      application,
      employer: await applications.employer(application.employer_id),
      displayStatus: applications.displayStatus(application),
      reference: applications.reference(application.id),
      notice: problem ? undefined : done,
      problem,
      errors,
      fmt: formatters(res.locals.lang),
    });
  }

  router.get(p.application, async (req, res) => {
    await renderApplication(req, res);
  });

  router.post(p.resend, async (req, res) => {
    const applicationId = applicationIdOf(req);
    const outcome = await applications.resend(applicationId, actorOf(req, res));
    if (outcome.ok) {
      res.redirect(303, applicationPath(applicationId, 'resent'));
      return;
    }
    if (outcome.reason === 'notFound') throw notFound('no such application');
    res.status(409);
    await renderApplication(req, res, outcome.reason);
  });

  router.post(p.cancel, async (req, res) => {
    const applicationId = applicationIdOf(req);
    const outcome = await applications.cancel(applicationId, actorOf(req, res));
    if (outcome.ok) {
      res.redirect(303, applicationPath(applicationId, 'cancelled'));
      return;
    }
    if (outcome.reason === 'notFound') throw notFound('no such application');
    res.status(409);
    await renderApplication(req, res, outcome.reason);
  });

  router.post(p.recordPaper, async (req, res) => {
    const applicationId = applicationIdOf(req);
    const outcome = await applications.recordPaper(applicationId, req.body, actorOf(req, res));
    if (outcome.ok) {
      res.redirect(303, applicationPath(applicationId, 'activated'));
      return;
    }
    if ('errors' in outcome) {
      res.status(422);
      await renderApplication(req, res, undefined, outcome.errors);
      return;
    }
    if (outcome.reason === 'notFound') throw notFound('no such application');
    res.status(409);
    await renderApplication(req, res, outcome.reason);
  });

  return router;
}
