import type { Express, RequestHandler } from 'express';
import { paths } from '../paths';
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
      res.locals.currentPerson = { id: person.id, displayName: person.display_name };
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
