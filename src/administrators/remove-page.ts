import type { RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { administratorsPaths } from './paths';
import { managerActor, setFlash } from './context';
import { loadAdministrator } from './change-form';
import type { AdministratorError, AdministratorsService, CodeRow, PersonRow } from './service';

interface Page {
  person: PersonRow;
  /** The codes the person administers. */
  held: CodeRow[];
  errors: AdministratorError[];
}

function render(res: Response, page: Page, status = 200): void {
  const action = pathTo(administratorsPaths.remove, { personId: page.person.id });
  res.status(status).render('administrators/remove', { ...page, administratorsPaths, action });
}

/** Remove an administrator from all their codes, after a confirmation. */
export function view(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codeIds, codes } = await loadAdministrator(administrators, req, res);
    render(res, { person, held: codes.filter((code) => codeIds.includes(code.id)), errors: [] });
  };
}

export function submit(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codeIds, codes, employerId } = await loadAdministrator(administrators, req, res);
    const outcome = await administrators.remove(employerId, person.id, managerActor(req, res));
    if (outcome.status === 'invalid') {
      render(res, { person, held: codes.filter((code) => codeIds.includes(code.id)), errors: outcome.errors }, 422);
      return;
    }
    // not found: someone else removed them meanwhile, which is what was asked
    setFlash(req, [{ key: 'administrators.flash.removed', params: { name: person.display_name } }]);
    res.redirect(administratorsPaths.list);
  };
}
