import type { Express, RequestHandler } from 'express';
import { paths } from '../paths';
import { forbidden } from './http-errors';
import type { PersonsService } from '../persons/service';

/** Loads the logged-in person for the views and handlers; a session whose person is gone is ended. */
export function setUpCurrentPerson(app: Express, persons: PersonsService): void {
  app.use(async (req, res, next) => {
    res.locals.currentPerson = undefined;
    const personId = req.session.personId;
    if (!personId) {
      next();
      return;
    }
    const person = await persons.find(personId);
    if (person) {
      res.locals.currentPerson = { id: person.id, displayName: person.display_name, isStaff: person.is_staff };
      next();
      return;
    }
    req.session.destroy((error: unknown) => {
      next(error);
    });
  });
}

/** Pages for logged-in persons only: anyone else is sent to the e-ID login. */
export const requireLogin: RequestHandler = (_req, res, next) => {
  if (res.locals.currentPerson) next();
  else res.redirect(paths.login);
};

/** The agency's back office: logged-in staff only (403 for anyone else logged in). */
export const requireStaff: RequestHandler = (_req, res, next) => {
  const person = res.locals.currentPerson;
  if (!person) res.redirect(paths.login);
  else if (!person.isStaff) next(forbidden('not staff'));
  else next();
};
