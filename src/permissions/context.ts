import type { Request, RequestHandler, Response } from 'express';
import { auditRole, isAdministratorOfAny } from '../context/permissions';
import { maskPersonalIdentityNumber } from '../domain/identity-numbers';
import { UUID } from '../employers/schemas';
import { forbidden, notFound } from '../web/http-errors';
import { lastDayOf } from './end-date';
import { permissionsPaths } from './paths';
import type { AdminScope, Change } from './service';
import type { PermissionsFlash } from './session';

/** The permission pages are for those who administer at least one code here (administrator, orderer, delegate). */
export const requireAdministration: RequestHandler = (req, res, next) => {
  const context = res.locals.employerContext;
  if (!context || !isAdministratorOfAny(context)) {
    next(forbidden('administers no code here'));
    return;
  }
  res.locals.permissionsFlash = req.session.permissionsFlash;
  if (req.session.permissionsFlash) delete req.session.permissionsFlash;
  Object.assign(res.locals, viewHelpers);
  next();
};

/** The acting person and their employer; the service reads which codes they administer from the database. */
export function adminScope(req: Request, res: Response): AdminScope {
  const context = res.locals.employerContext;
  const person = res.locals.currentPerson;
  if (!context || !person) throw forbidden('no employer context');
  const role = auditRole(context);
  if (role === 'user') throw forbidden('not an administrator');
  return {
    employerId: context.employer.id,
    actor: { type: 'person', personId: person.id, role, requestId: typeof req.id === 'string' ? req.id : undefined },
  };
}

/** An id from the URL: a uuid, or the page does not exist (before the database sees it). */
export function idParam(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notFound('malformed id');
  return value.toLowerCase();
}

export function setFlash(req: Request, flash: PermissionsFlash): void {
  req.session.permissionsFlash = flash;
}

/**
 * After a change: 403 or 404 for what is out of reach, otherwise a flash saying what happened (or that nothing did)
 * and a redirect (post-redirect-get). `invalid` from a button form is a crafted request: 400.
 */
export function finish<T>(
  req: Request,
  res: Response,
  outcome: Change<T>,
  then: { redirect: string; changed: (value: T) => PermissionsFlash; unchanged: PermissionsFlash },
): void {
  if (outcome.status === 'forbidden') throw forbidden('outside the administered codes');
  if (outcome.status === 'not-found') throw notFound('no such person');
  if (outcome.status === 'invalid') {
    res.status(400).render('errors/forbidden');
    return;
  }
  setFlash(req, outcome.status === 'changed' ? then.changed(outcome.value) : then.unchanged);
  res.redirect(then.redirect);
}

const swedishDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'short' });

export const viewHelpers = {
  permissionsPaths,
  maskPersonalIdentityNumber,
  formatDate: (date: Date | null): string => (date ? swedishDate.format(date) : ''),
  /** The last day of a time-limited permission from its end moment (YYYY-MM-DD, Swedish time). */
  lastDayOf: (moment: Date | string): string => lastDayOf(new Date(moment)),
};
