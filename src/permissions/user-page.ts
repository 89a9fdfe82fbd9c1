import type { Request, RequestHandler } from 'express';
import { pathTo } from '../paths';
import { parseForm } from '../web/forms';
import { forbidden, notFound } from '../web/http-errors';
import { adminScope, finish, idParam } from './context';
import { permissionsPaths } from './paths';
import { codeFormSchema, permissionFormSchema } from './schemas';
import { serviceName, type PermissionsService } from './service';

const userHref = (personId: string) => pathTo(permissionsPaths.user, { personId });

/** A form posted by a button carries ids only: anything unreadable is a crafted request. */
function parsed<T>(result: { ok: true; data: T } | { ok: false }): T {
  if (!result.ok) throw new BadRequest();
  return result.data;
}

class BadRequest extends Error {
  readonly status = 400;
}

/** One user: their permissions on each administered code, with a button per permission to grant or remove it. */
export function view(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const result = await permissions.user(adminScope(req, res), personId);
    if (result.status === 'not-found') throw notFound('no such person');
    if (result.status === 'forbidden') throw forbidden('person outside the administered codes');
    const lang = res.locals.lang;
    const rows = result.codes.map((code) => ({
      code,
      services: result.services
        .map((service) => ({
          service,
          name: serviceName(service, lang),
          granted: result.grants.some((grant) => grant.employer_code_id === code.id && grant.service_id === service.id),
        }))
        .filter((entry) => entry.granted || entry.service.active),
    }));
    res.render('permissions/user', { person: result.person, rows, personId });
  };
}

function serviceLabel(req: Request, key: string): string {
  return req.t(`services.${key}.name`, { defaultValue: key });
}

export function grant(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = parsed(parseForm(permissionFormSchema, req.body));
    const outcome = await permissions.grant(adminScope(req, res), personId, form.codeId, form.serviceId);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({
        kind: 'success',
        message: 'permissions.flash.granted',
        params: { service: serviceLabel(req, value.service), code: value.code },
      }),
      unchanged: { kind: 'info', message: 'permissions.flash.alreadyGranted', params: {} },
    });
  };
}

export function revoke(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = parsed(parseForm(permissionFormSchema, req.body));
    const outcome = await permissions.revoke(adminScope(req, res), personId, form.codeId, form.serviceId);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({
        kind: 'success',
        message: 'permissions.flash.revoked',
        params: { service: serviceLabel(req, value.service), code: value.code },
      }),
      unchanged: { kind: 'info', message: 'permissions.flash.alreadyRevoked', params: {} },
    });
  };
}

export function removeFromCode(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const form = parsed(parseForm(codeFormSchema, req.body));
    const outcome = await permissions.removeFromCode(adminScope(req, res), personId, form.codeId);
    finish(req, res, outcome, {
      redirect: userHref(personId),
      changed: (value) => ({ kind: 'success', message: 'permissions.flash.removedFromCode', params: value }),
      unchanged: { kind: 'info', message: 'permissions.flash.nothingOnCode', params: {} },
    });
  };
}

export function removeFromEmployer(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const personId = idParam(req.params.personId);
    const outcome = await permissions.removeFromEmployer(adminScope(req, res), personId);
    finish(req, res, outcome, {
      redirect: outcome.status === 'changed' ? permissionsPaths.users : userHref(personId),
      changed: (value) => ({ kind: 'success', message: 'permissions.flash.removedFromEmployer', params: value }),
      unchanged: { kind: 'info', message: 'permissions.flash.nothingToRemove', params: {} },
    });
  };
}
