import type { RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { parseForm, type FieldError } from '../web/forms';
import { forbidden } from '../web/http-errors';
import { adminScope, setFlash } from './context';
import { permissionsPaths } from './paths';
import { grantValue, newUserSchema } from './schemas';
import { serviceName, type CodeRow, type PermissionsService, type ServiceRow } from './service';

interface FormPage {
  codes: CodeRow[];
  services: ServiceRow[];
  values: Record<string, unknown>;
  errors: FieldError[];
}

/** The ticked grants as a set of `code:service` values, however the form sent them (one or several). */
function ticked(values: Record<string, unknown>): Set<string> {
  const raw = values.grants;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return new Set(list.filter((value): value is string => typeof value === 'string'));
}

function render(res: Response, page: FormPage, status = 200): void {
  const lang = res.locals.lang;
  res.status(status).render('permissions/new-user', {
    ...page,
    checked: ticked(page.values),
    grantValue,
    services: page.services
      .filter((service) => service.active)
      .map((service) => ({
        ...service,
        label: serviceName(service, lang),
      })),
  });
}

/** Add a user: identity number, name, email and a grid of services per administered code. */
export function viewNew(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const { codes, services } = await permissions.choices(adminScope(req, res));
    render(res, { codes, services, values: {}, errors: [] });
  };
}

export function submitNew(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const scope = adminScope(req, res);
    const { codes, services } = await permissions.choices(scope);
    const form = parseForm(newUserSchema(permissions.today()), req.body);
    if (!form.ok) {
      render(res, { codes, services, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await permissions.addUser(scope, form.data);
    if (outcome.status === 'forbidden') throw forbidden('code outside the administered codes');
    if (outcome.status !== 'changed') {
      const errors = outcome.status === 'invalid' ? outcome.errors : [];
      render(res, { codes, services, values: req.body as Record<string, unknown>, errors }, 422);
      return;
    }
    const { personId, granted } = outcome.value;
    setFlash(
      req,
      granted > 0
        ? { kind: 'success', message: 'permissions.flash.userAdded', params: { name: form.data.name } }
        : { kind: 'info', message: 'permissions.flash.userAlreadyHad', params: { name: form.data.name } },
    );
    res.redirect(pathTo(permissionsPaths.user, { personId }));
  };
}
