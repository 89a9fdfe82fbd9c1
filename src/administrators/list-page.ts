import type { RequestHandler } from 'express';
import { lastDayOf } from '../permissions/end-date';
import { managerContext } from './context';
import { administratorsPaths } from './paths';
import type { AdministratorsService } from './service';

/** The employer's codes, active and inactive, each with its administrators, and a warning where there is none. */
export function view(administrators: AdministratorsService): RequestHandler {
  return async (_req, res) => {
    const context = managerContext(res);
    const codes = await administrators.overview(context.employer.id);
    res.render('administrators/index', { employer: context.employer, codes, administratorsPaths, lastDayOf });
  };
}
