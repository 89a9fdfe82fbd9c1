import type { RequestHandler, Response } from 'express';
import { paths } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { notFound } from '../web/http-errors';
import { setFlash, staffActor, submitted } from './context';
import { termsVersionSchema } from './schemas';
import type { TermsService } from './terms-service';

interface FormState {
  values: Record<string, unknown>;
  errors: FieldError[];
}

async function render(terms: TermsService, res: Response, form: FormState, status = 200): Promise<void> {
  const { current, earlier } = await terms.overview();
  res.status(status).render('staff/terms', { current, earlier, ...form });
}

/** The general terms in force, the earlier versions, and the form to publish a new version. */
export function view(terms: TermsService): RequestHandler {
  return async (_req, res) => {
    await render(terms, res, { values: {}, errors: [] });
  };
}

export function submit(terms: TermsService): RequestHandler {
  return async (req, res) => {
    const form = parseForm(termsVersionSchema, req.body);
    if (!form.ok) {
      await render(terms, res, { values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await terms.publish(form.data, staffActor(req, res));
    if (outcome.status === 'invalid') {
      await render(terms, res, { values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    if (outcome.status === 'not-found') throw notFound();
    setFlash(req, 'staff.flash.termsPublished', { version: outcome.value.version });
    res.redirect(paths.staff.terms);
  };
}
