import type { Express, RequestHandler } from 'express';
import { paths } from '../paths';
import type { ContextService } from './service';

/**
 * Loads the employer the person chose (kept in the session) and what they may do there, for every request. A choice
 * that no longer holds (the role ended) is forgotten.
 */
export function setUpEmployerContext(app: Express, context: ContextService): void {
  app.use(async (req, res, next) => {
    res.locals.employerContext = undefined;
    const person = res.locals.currentPerson;
    const employerId = req.session.employerId;
    if (person && employerId) {
      const found = await context.contextAt(person.id, employerId);
      if (found) res.locals.employerContext = found;
      else delete req.session.employerId;
    }
    next();
  });
}

/**
 * Pages about one employer: logged in, and an employer chosen. With one employer it is chosen for the person; with
 * several the person picks; with none they see a page saying so, with the agency's contact details.
 */
export function requireEmployer(context: ContextService): RequestHandler {
  return async (req, res, next) => {
    const person = res.locals.currentPerson;
    if (!person) {
      if (req.method === 'GET') req.session.returnTo = req.originalUrl;
      res.redirect(paths.login);
      return;
    }
    if (res.locals.employerContext) {
      next();
      return;
    }
    const employers = await context.employersOf(person.id);
    const [only] = employers;
    if (employers.length === 0 || !only) {
      // Agency staff work in the back office; anyone else is told they have no role, and whom to contact.
      if (person.isStaff) res.redirect(paths.staff.root);
      else res.status(403).render('context/no-role');
      return;
    }
    if (employers.length === 1) {
      const found = await context.contextAt(person.id, only.id);
      if (found) {
        req.session.employerId = only.id;
        res.locals.employerContext = found;
        next();
        return;
      }
    }
    if (req.method === 'GET') req.session.returnTo = req.originalUrl;
    res.redirect(paths.context.choose);
  };
}
