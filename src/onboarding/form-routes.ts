import { Router, type Request, type RequestHandler, type Response } from 'express';
import { paths } from '../paths';
import { requireLogin } from '../web/current-person';
import { markSessionStart } from '../web/session';
import type { FieldError } from '../web/forms';
import type { OrdererFormService } from './orderer-form';
import { ordererFormPdf } from './pdf';
import type { ApplicationRow, ApplicationStatus } from './repository';
import { renderRefusal } from './refusals';
import { formatters } from './view-helpers';

const p = paths.onboarding;
const STEPS = ['details', 'terms', 'review', 'confirmation'] as const;
type Step = (typeof STEPS)[number];

type FormHandler = (req: Request, res: Response, application: ApplicationRow) => Promise<void>;

const actorOf = (req: Request, res: Response) => ({
  personId: res.locals.currentPerson?.id ?? '',
  requestId: typeof req.id === 'string' ? req.id : undefined,
});

/** The orderer's confirmation form: the invitation link, the four steps, the signature's return, the PDF. */
export function ordererFormRoutes(form: OrdererFormService): Router {
  const router = Router();

  /** Pages of the form: logged in, with the invitation in the session, as the person it names, in a fitting state. */
  const formPage = (statuses: readonly ApplicationStatus[], handler: FormHandler): RequestHandler[] => [
    requireLogin,
    async (req, res) => {
      const token = req.session.ordererInvitation;
      if (!token) {
        renderRefusal(res, 'noInvitation');
        return;
      }
      const access = await form.access(token, actorOf(req, res).personId, statuses);
      if (!access.ok) {
        if (access.refusal === 'wrongPerson') delete req.session.ordererInvitation;
        renderRefusal(res, access.refusal);
        return;
      }
      await handler(req, res, access.application);
    },
  ];

  async function renderStep(
    res: Response,
    step: Step,
    application: ApplicationRow,
    locals: Record<string, unknown> = {},
  ): Promise<void> {
    const employer = await form.employer(application.employer_id);
    res.render(`onboarding/${step}`, {
      steps: STEPS,
      currentStep: step,
      application,
      employer,
      fmt: formatters(res.locals.lang),
      errors: [] as FieldError[],
      ...locals,
    });
  }

  router.get(p.invitation, async (req, res) => {
    const token: unknown = req.params.token;
    if (typeof token !== 'string') {
      renderRefusal(res, 'unknown');
      return;
    }
    const invitation = await form.invitation(token);
    if (!invitation.ok) {
      renderRefusal(res, invitation.refusal);
      return;
    }
    const person = res.locals.currentPerson;
    if (!person) {
      // The link alone grants nothing: log in first. The e-ID login starts a new session, so the person may have to
      // open the link again; returnTo lets the login bring them back when it honours it.
      req.session.returnTo = req.path;
      markSessionStart(req, form.now());
      res.render('onboarding/login', { application: invitation.application });
      return;
    }
    const access = await form.access(token, person.id, ['invited', 'awaiting_paper']);
    if (!access.ok) {
      renderRefusal(res, access.refusal);
      return;
    }
    req.session.ordererInvitation = token;
    res.redirect(303, p.form);
  });

  router.get(
    p.form,
    ...formPage(['invited', 'awaiting_paper'], async (_req, res, application) => {
      const stage = await form.stageOf(application);
      const target = { details: p.details, terms: p.terms, review: p.review, paper: p.confirmation }[stage];
      res.redirect(303, target);
    }),
  );

  router.get(
    p.details,
    ...formPage(['invited'], async (_req, res, application) => {
      const draft = form.draftOf(application);
      const values = draft
        ? {
            handledByOrderer: draft.handledByOrderer ? 'yes' : 'no',
            delegateName: draft.delegate?.name,
            delegatePersonalIdentityNumber: draft.delegate?.personalIdentityNumber,
            delegateEmail: draft.delegate?.email,
          }
        : {};
      await renderStep(res, 'details', application, {
        values,
        codes: await form.employerCodes(application.employer_id),
      });
    }),
  );

  router.post(
    p.details,
    ...formPage(['invited'], async (req, res, application) => {
      const outcome = await form.saveDetails(application, req.body, actorOf(req, res));
      if (outcome.ok) {
        res.redirect(303, p.terms);
        return;
      }
      res.status(422);
      await renderStep(res, 'details', application, {
        values: outcome.input,
        errors: outcome.errors,
        codes: await form.employerCodes(application.employer_id),
      });
    }),
  );

  async function renderTerms(res: Response, application: ApplicationRow, errors: FieldError[] = []): Promise<void> {
    const terms = await form.currentTerms();
    if (!terms) throw new Error('no terms in force');
    const body = res.locals.lang === 'en' ? terms.body_en : terms.body_sv;
    await renderStep(res, 'terms', application, {
      terms,
      paragraphs: body.split(/\n\s*\n/),
      accepted: application.accepted_terms_version_id === terms.id,
      errors,
    });
  }

  router.get(
    p.terms,
    ...formPage(['invited'], async (_req, res, application) => {
      if ((await form.stageOf(application)) === 'details') {
        res.redirect(303, p.details);
        return;
      }
      await renderTerms(res, application);
    }),
  );

  router.post(
    p.terms,
    ...formPage(['invited'], async (req, res, application) => {
      const outcome = await form.acceptTerms(application, req.body, actorOf(req, res));
      if (outcome.ok) {
        res.redirect(303, p.review);
        return;
      }
      res.status(422);
      await renderTerms(res, application, outcome.errors);
    }),
  );

  router.get(
    p.review,
    ...formPage(['invited'], async (_req, res, application) => {
      const review = await form.review(application);
      if (!review) {
        res.redirect(303, p.form);
        return;
      }
      await renderStep(res, 'review', application, { review });
    }),
  );

  router.post(
    p.sign,
    ...formPage(['invited'], async (req, res, application) => {
      const post = await form.startEidSigning(application, actorOf(req, res), p.signatureReturn);
      if (!post) {
        res.redirect(303, p.form);
        return;
      }
      res.render('auth/post-to-idp', post);
    }),
  );

  router.get(p.signatureReturn, requireLogin, async (req, res) => {
    const requestId = typeof req.query.signature === 'string' ? req.query.signature : '';
    const outcome = await form.completeEidSigning(requestId, actorOf(req, res));
    if (outcome.kind === 'activated') {
      res.redirect(303, p.confirmation);
      return;
    }
    if (outcome.kind === 'refused') {
      req.log.warn({ reason: outcome.reason }, 'orderer form not signed');
      res.status(400).render('onboarding/signature-refused', { steps: STEPS, currentStep: 'review' });
      return;
    }
    renderRefusal(res, outcome.kind);
  });

  router.post(
    p.paper,
    ...formPage(['invited'], async (req, res, application) => {
      const chosen = await form.choosePaper(application, actorOf(req, res));
      res.redirect(303, chosen ? p.confirmation : p.form);
    }),
  );

  router.get(
    p.confirmation,
    ...formPage(['invited', 'awaiting_paper', 'active'], async (_req, res, application) => {
      const submitted = form.submitted(application);
      if (application.status === 'invited' || !submitted) {
        res.redirect(303, p.form);
        return;
      }
      await renderStep(res, 'confirmation', application, { submitted });
    }),
  );

  router.get(
    p.paperPdf,
    ...formPage(['invited', 'awaiting_paper'], async (_req, res, application) => {
      const submitted = form.submitted(application);
      if (application.status !== 'awaiting_paper' || !submitted) {
        res.redirect(303, p.form);
        return;
      }
      const pdf = await ordererFormPdf(submitted, res.locals.t);
      res.type('application/pdf').attachment(`${submitted.reference}.pdf`).send(Buffer.from(pdf));
    }),
  );

  return router;
}
