import type { Request, RequestHandler, Response } from 'express';
import { pathTo } from '../paths';
import { parseForm } from '../web/forms';
import { forbidden } from '../web/http-errors';
import { adminScope, finish, setFlash } from './context';
import type { CsvLabels } from './csv';
import { permissionsPaths } from './paths';
import { overviewQuerySchema, removeInactiveSchema, searchFormSchema, type OverviewQuery } from './schemas';
import type { PermissionsService } from './service';

type Filters = Pick<OverviewQuery, 'kod' | 'tjanst' | 'visa'>;

/** The overview's address with its filters (ids and keys only: the search term stays in the session). */
export function overviewHref(filters: Filters, page = 1, base: string = permissionsPaths.users): string {
  const query = new URLSearchParams();
  if (filters.kod) query.set('kod', filters.kod);
  if (filters.tjanst) query.set('tjanst', filters.tjanst);
  if (filters.visa) query.set('visa', 'inaktiva');
  if (page > 1) query.set('sida', String(page));
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

function serviceQuery(req: Request, query: OverviewQuery) {
  return {
    codeId: query.kod,
    serviceKey: query.tjanst,
    inactiveOnly: query.visa,
    search: req.session.permissionsSearch ?? '',
    page: query.sida,
  };
}

/** The users of the administered codes: searched, filtered, 50 a page; with the inactive filter, a bulk removal. */
export function view(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const query = overviewQuerySchema.parse(req.query);
    const result = await permissions.overview(adminScope(req, res), serviceQuery(req, query));
    if (result.status === 'forbidden') throw forbidden('code outside the administered codes');
    res.render('permissions/overview', {
      result,
      filters: query,
      search: req.session.permissionsSearch ?? '',
      pageHref: (page: number) => overviewHref(query, page),
      exportHref: overviewHref(query, 1, permissionsPaths.export),
      userHref: (personId: string) => pathTo(permissionsPaths.user, { personId }),
    });
  };
}

/** The search is posted and kept in the session, so that a personal identity number never appears in a URL. */
export const search: RequestHandler = (req, res) => {
  const form = searchFormSchema.parse(req.body ?? {});
  const body = (req.body ?? {}) as Record<string, unknown>;
  req.session.permissionsSearch = body.clear === undefined ? form.q : '';
  res.redirect(overviewHref(form));
};

/** The users of the overview (all pages, same filters) as CSV, streamed. */
export function exportCsv(permissions: PermissionsService): RequestHandler {
  return async (req, res: Response) => {
    const query = overviewQuerySchema.parse(req.query);
    const t = res.locals.t;
    const labels: CsvLabels = {
      headers: {
        name: t('permissions.csv.name'),
        personalIdentityNumber: t('permissions.csv.personalIdentityNumber'),
        email: t('permissions.csv.email'),
        lastLogin: t('permissions.csv.lastLogin'),
        inactive: t('permissions.csv.inactive'),
        code: t('permissions.csv.code'),
        services: t('permissions.csv.services'),
        validThrough: t('permissions.csv.validThrough'),
      },
      yes: t('permissions.csv.yes'),
      no: t('permissions.csv.no'),
    };
    res.status(200);
    res.type('text/csv; charset=utf-8');
    res.attachment(t('permissions.csv.fileName'));
    res.set('Cache-Control', 'no-store');
    const ok = await permissions.exportCsv(adminScope(req, res), serviceQuery(req, query), res, labels);
    if (!ok) {
      res.removeHeader('Content-Disposition');
      throw forbidden('code outside the administered codes');
    }
    res.end();
  };
}

/** Removes the ticked inactive users, then back to the inactive filter. */
export function removeInactive(permissions: PermissionsService): RequestHandler {
  return async (req, res) => {
    const back = overviewHref({ kod: undefined, tjanst: undefined, visa: true });
    const form = parseForm(removeInactiveSchema, req.body);
    if (!form.ok) {
      setFlash(req, { kind: 'info', message: 'permissions.flash.noneSelected', params: {} });
      res.redirect(back);
      return;
    }
    const outcome = await permissions.removeInactive(adminScope(req, res), form.data.personIds);
    finish(req, res, outcome, {
      redirect: back,
      changed: (value) => ({
        kind: 'success',
        message: 'permissions.flash.inactiveRemoved',
        params: { count: String(value.removed), kept: String(value.kept) },
      }),
      unchanged: { kind: 'info', message: 'permissions.flash.inactiveNothingRemoved', params: {} },
    });
  };
}
