import type { Request, RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { administratorsPaths } from './paths';
import { parseForm } from '../web/forms';
import { notFound } from '../web/http-errors';
import { managerActor, managerContext, personIdParam, setFlash, submitted } from './context';
import type { AdministratorError, AdministratorsService, CodeRow, PersonActor, PersonRow } from './service';
import { endDateSchema, lastDayOf } from '../permissions/end-date';
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

type FlashMessage = { key: string; params: Record<string, string> };

/**
 * Sets the end date of all the person's appointments at the employer; the messages for the flash: the new end, and a
 * warning naming the codes that will have no administrator when it comes (the end is saved all the same).
 */
export async function setEndDate(
  administrators: AdministratorsService,
  target: { employerId: string; personId: string; name: string },
  validUntil: Date | null,
  actor: PersonActor,
): Promise<FlashMessage[]> {
  const ended = await administrators.setEndDate(target.employerId, target.personId, validUntil, actor);
  if (ended.status !== 'saved' || ended.value.changed === 0) return [];
  const { name } = target;
  return [
    validUntil
      ? { key: 'expiry.flash.appointmentEndSet', params: { name, date: lastDayOf(validUntil) } }
      : { key: 'expiry.flash.appointmentEndCleared', params: { name } },
    ...(ended.value.alone.length > 0
      ? [{ key: 'expiry.flash.lastAdministratorWarning', params: { codes: codeList(ended.value.alone) } }]
      : []),
  ];
}

/** Change which codes an administrator holds, and until when ("Giltig till och med": empty for no end date). */
export function view(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codeIds, codes, employerId } = await loadAdministrator(administrators, req, res);
    const end = await administrators.endDate(employerId, person.id);
    render(res, { person, codes, values: { codes: codeIds, validUntil: end ? lastDayOf(end) : '' }, errors: [] });
  };
}

export function submit(administrators: AdministratorsService): RequestHandler {
  return async (req, res) => {
    const { person, codes, employerId } = await loadAdministrator(administrators, req, res);
    const form = parseForm(changeCodesSchema.extend({ validUntil: endDateSchema(administrators.today()) }), req.body);
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
    const target = { employerId, personId: person.id, name };
    const endMessages = await setEndDate(administrators, target, form.data.validUntil ?? null, managerActor(req, res));
    const codesMessage: FlashMessage =
      added.length === 0 && removed.length === 0
        ? { key: 'administrators.flash.nothingChanged', params: { name } }
        : {
            key: 'administrators.flash.codesChanged',
            params: {
              name,
              codes: codeList([...outcome.value.unchanged, ...added].sort((a, b) => a.code.localeCompare(b.code))),
            },
          };
    // only the end date changed: no "nothing changed" beside it
    setFlash(
      req,
      endMessages.length > 0 && codesMessage.key.endsWith('nothingChanged')
        ? endMessages
        : [codesMessage, ...endMessages],
    );
    res.redirect(administratorsPaths.list);
  };
}
