import type { Request, RequestHandler, Response } from 'express';
import { forbidden } from '../web/http-errors';
import { parseForm } from '../web/forms';
import type { AuditHistoryService, AuditReader } from './history-service';
import { auditPaths } from './paths';
import { present } from './present';
import { historyIdsSchema, periodSchema, type HistoryIds } from './schemas';

/** Which of the three history pages: its reader (from the roles), its addresses and what its filter offers. */
export interface HistoryPage {
  reader: (req: Request, res: Response) => AuditReader;
  path: string;
  exportPath: string;
  title: string;
  lead: string;
}

/** The reader of the employer's history: the orderer or a delegate (all rows), or an administrator (its codes). */
export function employerReader(_req: Request, res: Response): AuditReader {
  const context = res.locals.employerContext;
  if (!context) throw forbidden('no employer context');
  if (context.roles.orderer || context.roles.delegate) return { kind: 'employer', employerId: context.employer.id };
  if (context.roles.administratorCodeIds.length > 0) {
    return { kind: 'administrator', employerId: context.employer.id, codeIds: context.roles.administratorCodeIds };
  }
  throw forbidden('neither orderer, delegate nor administrator here');
}

export function ownReader(_req: Request, res: Response): AuditReader {
  const person = res.locals.currentPerson;
  if (!person) throw forbidden('not logged in');
  return { kind: 'self', personId: person.id };
}

export function staffReader(_req: Request, res: Response): AuditReader {
  if (!res.locals.currentPerson?.isStaff) throw forbidden('not staff');
  return { kind: 'staff' };
}

type Inputs = HistoryIds & { fran?: string | undefined; till?: string | undefined };

/** The page's address with its filters (ids and dates only) and, for paging, a cursor. */
function hrefOf(base: string, inputs: Inputs, cursor?: { aldre: number } | { nyare: number }): string {
  const query = new URLSearchParams();
  if (inputs.arbetsgivare) query.set('arbetsgivare', inputs.arbetsgivare);
  else if (inputs.sok) query.set('sok', inputs.sok);
  if (inputs.person) query.set('person', inputs.person);
  if (inputs.kod) query.set('kod', inputs.kod);
  if (inputs.fran) query.set('fran', inputs.fran);
  if (inputs.till) query.set('till', inputs.till);
  if (cursor && 'aldre' in cursor) query.set('aldre', String(cursor.aldre));
  if (cursor && 'nyare' in cursor) query.set('nyare', String(cursor.nyare));
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

function filterOf(ids: HistoryIds, period: { fran?: string | undefined; till?: string | undefined }) {
  return { employerId: ids.arbetsgivare, personId: ids.person, codeId: ids.kod, from: period.fran, to: period.till };
}

/** A text field's value as typed, for showing it again. */
const typed = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The history page: newest first, 50 a page; bad dates give the form again (422) with an error summary. */
export function view(history: AuditHistoryService, page: HistoryPage): RequestHandler {
  return async (req, res) => {
    const reader = page.reader(req, res);
    const asked = historyIdsSchema.parse(req.query);
    const employer = reader.kind === 'staff' ? await history.employerFilter(asked.sok, asked.arbetsgivare) : undefined;
    const ids = { ...asked, arbetsgivare: employer?.chosen?.id ?? asked.arbetsgivare };
    const period = parseForm(periodSchema, req.query);
    const inputs = { ...ids, fran: typed(req.query.fran), till: typed(req.query.till) };
    const filter = filterOf(ids, period.ok ? period.data : {});
    const choices = await history.choices(reader, filter);
    const common = {
      page,
      reader,
      choices,
      employer,
      inputs,
      exportHref: hrefOf(page.exportPath, inputs),
      allEmployersHref: hrefOf(page.path, { ...inputs, arbetsgivare: undefined, kod: undefined, person: undefined }),
      chooseHref: (employerId: string) => hrefOf(page.path, { ...inputs, arbetsgivare: employerId }),
    };
    if (!period.ok) {
      res.status(422).render('audit/history', { ...common, errors: period.errors, result: undefined });
      return;
    }
    const cursor = ids.nyare ? { newer: ids.nyare } : ids.aldre ? { older: ids.aldre } : undefined;
    const result = await history.page(reader, { ...filter, cursor });
    if (result.status === 'forbidden') throw forbidden('filter outside the reader scope');
    const rows = result.rows.map((row) => present(row, res.locals.t, { showNumbers: reader.kind === 'staff' }));
    const first = rows[0];
    const last = rows.at(-1);
    res.render('audit/history', {
      ...common,
      errors: [],
      result: {
        rows,
        newerHref: result.hasNewer && first ? hrefOf(page.path, inputs, { nyare: first.id }) : undefined,
        olderHref: result.hasOlder && last ? hrefOf(page.path, inputs, { aldre: last.id }) : undefined,
        newestHref: result.hasNewer ? hrefOf(page.path, inputs) : undefined,
      },
    });
  };
}

/** The same filtered rows (all of them) as CSV, streamed. */
export function exportCsv(history: AuditHistoryService, page: HistoryPage): RequestHandler {
  return async (req, res) => {
    const reader = page.reader(req, res);
    const ids = historyIdsSchema.parse(req.query);
    const period = parseForm(periodSchema, req.query);
    if (!period.ok) {
      res.redirect(hrefOf(page.path, { ...ids, fran: typed(req.query.fran), till: typed(req.query.till) }));
      return;
    }
    const t = res.locals.t;
    const headers = [
      'time',
      'who',
      'role',
      'what',
      'employer',
      'code',
      'whom',
      'personalIdentityNumber',
      'changes',
      'requestId',
    ].map((key) => t(`audit.csv.${key}`));
    res.status(200);
    res.type('text/csv; charset=utf-8');
    res.attachment(t('audit.csv.fileName'));
    res.set('Cache-Control', 'no-store');
    const ok = await history.exportCsv(reader, filterOf(ids, period.data), res, { headers, t });
    if (!ok) {
      res.removeHeader('Content-Disposition');
      throw forbidden('filter outside the reader scope');
    }
    res.end();
  };
}

export const historyPages = {
  employer: {
    reader: employerReader,
    path: auditPaths.employer,
    exportPath: auditPaths.employerExport,
    title: 'audit.pages.employer.title',
    lead: 'audit.pages.employer.lead',
  },
  own: {
    reader: ownReader,
    path: auditPaths.own,
    exportPath: auditPaths.ownExport,
    title: 'audit.pages.own.title',
    lead: 'audit.pages.own.lead',
  },
  staff: {
    reader: staffReader,
    path: auditPaths.staff,
    exportPath: auditPaths.staffExport,
    title: 'audit.pages.staff.title',
    lead: 'audit.pages.staff.lead',
  },
} satisfies Record<string, HistoryPage>;
