import type { Request, RequestHandler, Response } from 'express';
import type { EmployerRow, EmployersService } from '../employers/service';
import { employerSchema } from '../employers/schemas';
import { paths, pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { notFound } from '../web/http-errors';
import { idParam, setFlash, staffActor, submitted } from './context';
import { viewHelpers } from './view-helpers';

interface FormPage {
  employer: EmployerRow | undefined;
  values: Record<string, unknown>;
  errors: FieldError[];
}

function render(res: Response, page: FormPage, status = 200): void {
  const action = page.employer
    ? pathTo(paths.staff.editEmployer, { employerId: page.employer.id })
    : paths.staff.newEmployer;
  res.status(status).render('staff/employer-form', { ...page, action });
}

function valuesOf(employer: EmployerRow): Record<string, unknown> {
  return {
    organisationNumber: viewHelpers.formatOrganisationNumber(employer.organisation_number),
    name: employer.name,
    registryEmail: employer.registry_email ?? '',
  };
}

async function loadEmployer(employers: EmployersService, req: Request): Promise<EmployerRow> {
  const employer = await employers.find(idParam(req.params.employerId));
  if (!employer) throw notFound('no such employer');
  return employer;
}

export const viewNew: RequestHandler = (_req, res) => {
  render(res, { employer: undefined, values: {}, errors: [] });
};

export function submitNew(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const form = parseForm(employerSchema, req.body);
    if (!form.ok) {
      render(res, { employer: undefined, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await employers.register(form.data, staffActor(req, res));
    if (outcome.status === 'invalid') {
      render(res, { employer: undefined, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    if (outcome.status === 'not-found') throw notFound();
    setFlash(req, 'staff.flash.employerRegistered', { name: outcome.value.name });
    res.redirect(pathTo(paths.staff.employer, { employerId: outcome.value.id }));
  };
}

export function viewEdit(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const employer = await loadEmployer(employers, req);
    render(res, { employer, values: valuesOf(employer), errors: [] });
  };
}

export function submitEdit(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const employer = await loadEmployer(employers, req);
    const form = parseForm(employerSchema, req.body);
    if (!form.ok) {
      render(res, { employer, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await employers.update(employer.id, form.data, staffActor(req, res));
    if (outcome.status === 'not-found') throw notFound('no such employer');
    if (outcome.status === 'invalid') {
      render(res, { employer, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    setFlash(req, 'staff.flash.employerUpdated', { name: outcome.value.name });
    res.redirect(pathTo(paths.staff.employer, { employerId: employer.id }));
  };
}
