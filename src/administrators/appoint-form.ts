import type { RequestHandler, Response } from 'express';
import { administratorsPaths } from './paths';
import { parseForm } from '../web/forms';
import { notFound } from '../web/http-errors';
import { managerActor, managerContext, setFlash, submitted } from './context';
import type { AdministratorError, AdministratorsService, Change, CodeRow } from './service';
import { endDateSchema } from '../permissions/end-date';
import { setEndDate } from './change-form';
import { appointSchema } from './schemas';
import { checkedCodeIds, codeList } from './view-helpers';

interface FormPage {
  codes: CodeRow[];
  values: Record<string, unknown>;
  errors: AdministratorError[];
}

function render(res: Response, page: FormPage, status = 200): void {
  res
    .status(status)
    .render('administrators/appoint', { ...page, administratorsPaths, checked: checkedCodeIds(page.values.codes) });
}

/** What the orderer or delegate is told after an appointment: the new codes, and those that were already held. */
export function appointedMessages(change: Change): { key: string; params: Record<string, string> }[] {
  return [
    ...(change.added.length > 0
      ? [{ key: 'administrators.flash.appointed', params: { name: change.name, codes: codeList(change.added) } }]
      : []),
    ...(change.unchanged.length > 0
      ? [
          {
            key: 'administrators.flash.alreadyAdministrator',
            params: { name: change.name, codes: codeList(change.unchanged) },
          },
        ]
      : []),
  ];
}

/** Appoint an administrator: every code is checked to begin with. */
export function view(administrators: AdministratorsService): RequestHandler {
  return async (_req, res) => {
    const codes = await administrators.codes(managerContext(res).employer.id);
    render(res, { codes, values: { codes: codes.map((code) => code.id) }, errors: [] });
  };
}

export function submit(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const context = managerContext(res);
    const codes = await administrators.codes(context.employer.id);
    const today = administrators.today();
    const form = parseForm(appointSchema(today).extend({ validUntil: endDateSchema(today) }), req.body);
    if (!form.ok) {
      render(res, { codes, values: form.input, errors: form.errors }, 422);
      return;
    }
    const outcome = await administrators.appoint(context.employer.id, form.data, managerActor(req, res));
    if (outcome.status === 'not-found') throw notFound('an employer code of another employer');
    if (outcome.status === 'invalid') {
      render(res, { codes, values: submitted(req), errors: outcome.errors }, 422);
      return;
    }
    // an empty date leaves an existing administrator's end date as it is (the change page clears it)
    const { validUntil } = form.data;
    const target = { employerId: context.employer.id, personId: outcome.value.personId, name: outcome.value.name };
    const ending = validUntil ? await setEndDate(administrators, target, validUntil, managerActor(req, res)) : [];
    setFlash(req, [...appointedMessages(outcome.value), ...ending]);
    res.redirect(administratorsPaths.list);
  };
}
