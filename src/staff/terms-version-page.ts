import type { RequestHandler } from 'express';
import { notFound } from '../web/http-errors';
import { idParam } from './context';
import type { TermsService } from './terms-service';

/** One published version of the general terms, as it was published (versions are never changed). */
export function view(terms: TermsService): RequestHandler {
  return async (req, res) => {
    const version = await terms.find(idParam(req.params.termsId));
    if (!version) throw notFound('no such terms version');
    const { current } = await terms.overview();
    res.render('staff/terms-version', { terms: version, isCurrent: current?.id === version.id });
  };
}
