import type { Request, Response } from 'express';
import { formatPersonalIdentityNumber, normalisePersonalIdentityNumber } from '../../domain/identity-numbers';
import { paths } from '../../paths';
import type { FieldError } from '../../web/forms';
import { personFor } from './person';
import type { RefusalReason } from './refusal';
import type { IssueResponseInput, PendingRequest, TestPerson } from './types';

const PERSON_FIELD = 'person';
const NUMBER_FIELD = 'personalIdentityNumber';
/** The error summary links a radio group's error to its first radio. */
const FIRST_PERSON_ID = `${PERSON_FIELD}-0`;

export interface PageDependencies {
  listPersons: () => Promise<TestPerson[]>;
  issueResponse: (input: IssueResponseInput) => Promise<string>;
  now: () => number;
}

export function renderRefused(res: Response, reason: RefusalReason): void {
  res.status(400).render('dev-eid/refused', { reason });
}

interface PersonOption {
  value: string;
  name: string;
  number: string;
  checked: boolean;
}

/** The persons offered: everyone listed, or only the one the request's PrincipalSelection names (chosen already). */
async function personOptions(pending: PendingRequest, deps: PageDependencies, picked: string): Promise<PersonOption[]> {
  const persons = await deps.listPersons();
  const offered = pending.principal === undefined ? persons : [personFor(pending.principal, persons)];
  return offered.map((person) => ({
    value: person.personalIdentityNumber,
    name: person.displayName,
    number: formatPersonalIdentityNumber(person.personalIdentityNumber),
    checked: pending.principal !== undefined || person.personalIdentityNumber === picked,
  }));
}

async function renderAuthenticate(
  res: Response,
  pending: PendingRequest,
  deps: PageDependencies,
  form: { values: Record<string, string>; errors: FieldError[] },
): Promise<void> {
  res.status(form.errors.length > 0 ? 422 : 200).render('dev-eid/authenticate', {
    action: paths.devEid.authenticate,
    pending,
    persons: await personOptions(pending, deps, form.values[PERSON_FIELD] ?? ''),
    signMessageLines: pending.signMessage?.text.split(/\r?\n/) ?? [],
    values: form.values,
    errors: form.errors,
    personError: form.errors.find((error) => error.field === FIRST_PERSON_ID),
  });
}

export async function showAuthenticate(req: Request, res: Response, deps: PageDependencies): Promise<void> {
  const pending = req.session.devEid;
  if (!pending) {
    renderRefused(res, 'noPendingRequest');
    return;
  }
  await renderAuthenticate(res, pending, deps, { values: {}, errors: [] });
}

function field(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim() : '';
}

/** The chosen person's number: a typed number wins over the radio buttons. */
function chosenNumber(body: unknown, pending: PendingRequest, today: Date): { number: string } | { error: FieldError } {
  const typed = field(body, NUMBER_FIELD);
  const picked = field(body, PERSON_FIELD);
  // With a PrincipalSelection the page has no text field: every error belongs to the radio group.
  const source = typed && pending.principal === undefined ? NUMBER_FIELD : FIRST_PERSON_ID;
  const number = normalisePersonalIdentityNumber(typed || picked, today);
  if (!typed && !picked) return { error: { field: source, message: 'devEid.authenticate.errors.choosePerson' } };
  if (number === null) return { error: { field: source, message: 'devEid.authenticate.errors.invalidNumber' } };
  if (pending.principal !== undefined && number !== pending.principal) {
    return { error: { field: source, message: 'devEid.authenticate.errors.notThePrincipal' } };
  }
  return { number };
}

function renderContinue(req: Request, res: Response, pending: PendingRequest, samlResponse: string): void {
  // A request is answered once.
  delete req.session.devEid;
  res.set('Cache-Control', 'no-store');
  res.render('dev-eid/continue', {
    acsUrl: pending.acsUrl,
    samlResponse,
    relayState: pending.relayState,
  });
}

export async function submitAuthenticate(req: Request, res: Response, deps: PageDependencies): Promise<void> {
  const pending = req.session.devEid;
  if (!pending) {
    renderRefused(res, 'noPendingRequest');
    return;
  }
  const request = { id: pending.id, acsUrl: pending.acsUrl, signMessage: pending.signMessage?.text };
  if (field(req.body, 'action') === 'cancel') {
    renderContinue(req, res, pending, await deps.issueResponse({ request, cancel: true }));
    return;
  }
  const chosen = chosenNumber(req.body, pending, new Date(deps.now()));
  if ('error' in chosen) {
    const values = { [PERSON_FIELD]: field(req.body, PERSON_FIELD), [NUMBER_FIELD]: field(req.body, NUMBER_FIELD) };
    await renderAuthenticate(res, pending, deps, { values, errors: [chosen.error] });
    return;
  }
  const person = personFor(chosen.number, await deps.listPersons());
  renderContinue(req, res, pending, await deps.issueResponse({ request, person }));
}
