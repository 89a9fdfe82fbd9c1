import type { RequestHandler, Response } from 'express';
import type { EmployerCodeRow, EmployerRow, EmployersService } from '../employers/service';
import { closeCodeSchema } from '../employers/schemas';
import { paths, pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { notFound } from '../web/http-errors';
import { loadCode } from './code-form';
import { setFlash, staffActor, submitted } from './context';

interface FormPage {
  employer: EmployerRow;
  code: EmployerCodeRow;
  values: Record<string, unknown>;
  errors: FieldError[];
}

function render(res: Response, page: FormPage, status = 200): void {
  const action = pathTo(paths.staff.closeCode, { employerId: page.employer.id, codeId: page.code.id });
  res.status(status).render('staff/close-code', { ...page, action });
}

/** Mark an active code inactive, with the date it closed. */
export function view(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const { employer, code } = await loadCode(employers, req);
    render(res, { employer, code, values: {}, errors: [] });
  };
}

export function submit(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const { employer, code } = await loadCode(employers, req);
    const form = parseForm(closeCodeSchema, req.body);
    if (!form.ok) {
      render(res, { employer, code, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await employers.closeCode(employer.id, code.id, form.data.closedOn, staffActor(req, res));
    if (outcome.status === 'not-found') throw notFound('no such employer code');
    if (outcome.status === 'invalid') {
      render(res, { employer, code, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    setFlash(req, 'staff.flash.codeClosed', { code: code.code });
    res.redirect(pathTo(paths.staff.employer, { employerId: employer.id }));
  };
}
