import type { RequestHandler } from 'express';
import type { EmployersService } from '../employers/service';
import { notFound } from '../web/http-errors';
import { idParam } from './context';

/** An employer, its codes and its people in charge, with contact details (never a full identity number). */
export function view(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const overview = await employers.overview(idParam(req.params.employerId));
    if (!overview) throw notFound('no such employer');
    res.render('staff/employer', overview);
  };
}
