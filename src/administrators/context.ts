import type { Request, RequestHandler, Response } from 'express';
import { auditRole, canManageAdministrators } from '../context/permissions';
import type { EmployerContext } from '../context/types';
import { UUID } from '../employers/schemas';
import { forbidden, notFound } from '../web/http-errors';
import type { PersonActor } from './service';

/** Only the orderer and the delegates of the chosen employer appoint its administrators; anyone else gets 403. */
export const requireAdministratorManager: RequestHandler = (_req, res, next) => {
  const context = res.locals.employerContext;
  if (context && canManageAdministrators(context)) next();
  else next(forbidden('not the orderer or a delegate of this employer'));
};

/** The employer context of a page behind requireAdministratorManager. */
export function managerContext(res: Response): EmployerContext {
  const context = res.locals.employerContext;
  if (!context || !canManageAdministrators(context)) throw forbidden('not the orderer or a delegate of this employer');
  return context;
}

/** The logged-in orderer or delegate as the actor of a change, with the request it came in. */
export function managerActor(req: Request, res: Response): PersonActor {
  const context = managerContext(res);
  const person = res.locals.currentPerson;
  if (!person) throw forbidden('not logged in');
  const role = auditRole(context);
  return {
    type: 'person',
    personId: person.id,
    role: role === 'orderer' ? 'orderer' : 'delegate',
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
}

/** The person id in the URL: a uuid, or the page does not exist (before the database sees it). */
export function personIdParam(req: Request): string {
  const value = req.params.personId;
  if (typeof value !== 'string' || !UUID.test(value)) throw notFound('malformed person id');
  return value;
}

/** The submitted form as typed, to show it again when the service refuses it. */
export function submitted(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** Keeps messages for the administrators page the browser is sent to next. */
export function setFlash(req: Request, messages: { key: string; params: Record<string, string> }[]): void {
  req.session.administratorsFlash = { messages };
}

/** The flash, if any, for this page only (taken from the session, so shown once). */
export const administratorsLocals: RequestHandler = (req, res, next) => {
  res.locals.administratorsFlash = req.session.administratorsFlash;
  if (req.session.administratorsFlash) delete req.session.administratorsFlash;
  next();
};
