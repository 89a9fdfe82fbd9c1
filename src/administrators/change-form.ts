import type { Request, RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { administratorsPaths } from './paths';
import { parseForm } from '../web/forms';
import { notFound } from '../web/http-errors';
import { managerActor, managerContext, personIdParam, setFlash, submitted } from './context';
import type { AdministratorError, AdministratorsService, CodeRow, PersonRow } from './service';
import { changeCodesSchema } from './schemas';
import { checkedCodeIds, codeList } from './view-helpers';

interface FormPage {
  person: PersonRow;
  codes: CodeRow[];
  values: Record<string, unknown>;
  errors: AdministratorError[];
}

function render(res: Response, page: FormPage, status = 200): void {
  const action = pathTo(administratorsPaths.change, { personId: page.person.id });
  res.status(status).render('administrators/change', {
    ...page,
    administratorsPaths,
    action,
    checked: checkedCodeIds(page.values.codes),
  });
}

/** The administrator in the URL, if they administer a code of the chosen employer (anyone else: 404). */
export async function loadAdministrator(administrators: AdministratorsService, req: Request, res: Response) {
  const employerId = managerContext(res).employer.id;
  const found = await administrators.administrator(employerId, personIdParam(req));
  if (!found) throw notFound('not an administrator of this employer');
  const codes = await administrators.codes(employerId);
  return { ...found, codes, employerId };
}

/** Change which codes an administrator holds. */
export function view(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codeIds, codes } = await loadAdministrator(administrators, req, res);
    render(res, { person, codes, values: { codes: codeIds }, errors: [] });
  };
}

export function submit(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codes, employerId } = await loadAdministrator(administrators, req, res);
    const form = parseForm(changeCodesSchema, req.body);
    if (!form.ok) {
      render(res, { person, codes, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await administrators.changeCodes(employerId, person.id, form.data.codes, managerActor(req, res));
    if (outcome.status === 'not-found') throw notFound('an employer code of another employer');
    if (outcome.status === 'invalid') {
      render(res, { person, codes, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    const { added, removed, name } = outcome.value;
    setFlash(req, [
      added.length === 0 && removed.length === 0
        ? { key: 'administrators.flash.nothingChanged', params: { name } }
        : {
            key: 'administrators.flash.codesChanged',
            params: {
              name,
              codes: codeList([...outcome.value.unchanged, ...added].sort((a, b) => a.code.localeCompare(b.code))),
            },
          },
    ]);
    res.redirect(administratorsPaths.list);
  };
}
