import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../audit/service';
import { UUID } from '../employers/schemas';
import { forbidden, notFound } from '../web/http-errors';
import { viewHelpers } from './view-helpers';

/** The logged-in staff member as the actor of a change, with the request it came in. */
export function staffActor(req: Request, res: Response): Actor {
  const person = res.locals.currentPerson;
  if (!person?.isStaff) throw forbidden('not staff');
  return {
    type: 'person',
    personId: person.id,
    role: 'staff',
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
}

/** An id from the URL: a uuid, or the page does not exist (before the database sees it). */
export function idParam(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw notFound('malformed id');
  return value;
}

/** The submitted form as typed, to show it again when the service refuses it. */
export function submitted(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** Keeps a message for the page the browser is sent to next. */
export function setFlash(req: Request, message: string, params: Record<string, string> = {}): void {
  req.session.staffFlash = { message, params };
}

/** What every back-office page has: the flash, if any (taken from the session, so shown once), and the helpers. */
export const backOfficeLocals: RequestHandler = (req, res, next) => {
  res.locals.staffFlash = req.session.staffFlash;
  if (req.session.staffFlash) delete req.session.staffFlash;
  Object.assign(res.locals, viewHelpers);
  next();
};
