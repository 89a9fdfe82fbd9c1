import type { Response } from 'express';
import type { Refusal } from './orderer-form';

/** A link or page that cannot be used: a page saying why and what to do, with a 4xx status; nothing changes. */
export type PageRefusal = Refusal | 'noInvitation';

const STATUS: Record<PageRefusal, number> = {
  unknown: 404,
  expired: 410,
  cancelled: 410,
  used: 409,
  wrongPerson: 403,
  noInvitation: 400,
};

export function renderRefusal(res: Response, refusal: PageRefusal): void {
  res.status(STATUS[refusal]).render('onboarding/refused', { refusal });
}
