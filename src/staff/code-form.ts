import type { Request, RequestHandler, Response } from 'express';
import type { EmployerCodeRow, EmployerRow, EmployersService } from '../employers/service';
import { employerCodeSchema } from '../employers/schemas';
import { paths, pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { notFound } from '../web/http-errors';
import { idParam, setFlash, staffActor, submitted } from './context';

interface FormPage {
  employer: EmployerRow;
  code: EmployerCodeRow | undefined;
  values: Record<string, unknown>;
  errors: FieldError[];
}

function render(res: Response, page: FormPage, status = 200): void {
  const action = page.code
    ? pathTo(paths.staff.editCode, { employerId: page.employer.id, codeId: page.code.id })
    : pathTo(paths.staff.newCode, { employerId: page.employer.id });
  res.status(status).render('staff/code-form', { ...page, action });
}

function valuesOf(code: EmployerCodeRow): Record<string, unknown> {
  return {
    code: code.code,
    name: code.name,
    status: code.active ? 'active' : 'inactive',
    closedOn: code.closed_on ?? '',
  };
}

async function loadEmployer(employers: EmployersService, req: Request): Promise<EmployerRow> {
  const employer = await employers.find(idParam(req.params.employerId));
  if (!employer) throw notFound('no such employer');
  return employer;
}

async function loadCode(
  employers: EmployersService,
  req: Request,
): Promise<{ employer: EmployerRow; code: EmployerCodeRow }> {
  const employer = await loadEmployer(employers, req);
  const code = await employers.findCode(employer.id, idParam(req.params.codeId));
  if (!code) throw notFound('no such employer code');
  return { employer, code };
}

export function viewNew(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const employer = await loadEmployer(employers, req);
    render(res, { employer, code: undefined, values: { status: 'active' }, errors: [] });
  };
}

export function submitNew(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const employer = await loadEmployer(employers, req);
    const form = parseForm(employerCodeSchema, req.body);
    if (!form.ok) {
      render(res, { employer, code: undefined, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await employers.addCode(employer.id, form.data, staffActor(req, res));
    if (outcome.status === 'not-found') throw notFound('no such employer');
    if (outcome.status === 'invalid') {
      render(res, { employer, code: undefined, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    setFlash(req, 'staff.flash.codeAdded', { code: outcome.value.code });
    res.redirect(pathTo(paths.staff.employer, { employerId: employer.id }));
  };
}

export function viewEdit(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const { employer, code } = await loadCode(employers, req);
    render(res, { employer, code, values: valuesOf(code), errors: [] });
  };
}

export function submitEdit(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const { employer, code } = await loadCode(employers, req);
    const form = parseForm(employerCodeSchema, req.body);
    if (!form.ok) {
      render(res, { employer, code, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await employers.updateCode(employer.id, code.id, form.data, staffActor(req, res));
    if (outcome.status === 'not-found') throw notFound('no such employer code');
    if (outcome.status === 'invalid') {
      render(res, { employer, code, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    setFlash(req, 'staff.flash.codeUpdated', { code: outcome.value.code });
    res.redirect(pathTo(paths.staff.employer, { employerId: employer.id }));
  };
}

export { loadCode };
