import type { RequestHandler, Response } from 'express';
import { formatOrganisationNumber } from '../domain/identity-numbers';
import { paths } from '../paths';
import { codeListSchema, EMPLOYER_FILTERS, employerListSchema, IMPORTED_FILTERS, importedListSchema } from './schemas';
import type { LaunchService } from './service';

const swedishDateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  dateStyle: 'short',
  timeStyle: 'short',
});
const dateTime = (date: Date | null): string => (date ? swedishDateTime.format(date) : '');

/** A list page's address: the filter word (unless it is the default) and the page number (unless the first). */
function hrefOf(path: string, filter: string | undefined, page = 1): string {
  const search = new URLSearchParams();
  if (filter && filter !== 'alla') search.set('urval', filter);
  if (page > 1) search.set('sida', String(page));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Starts a CSV download: UTF-8 with BOM, never cached, named in the page's language. */
function startCsv(res: Response, fileName: string): void {
  res.status(200);
  res.type('text/csv; charset=utf-8');
  res.attachment(fileName);
  res.set('Cache-Control', 'no-store');
}

export function employers(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const { urval, sida } = employerListSchema.parse(req.query);
    const result = await launch.employers(EMPLOYER_FILTERS[urval], sida);
    res.render('launch/employers', {
      filter: urval,
      filters: Object.keys(EMPLOYER_FILTERS),
      result,
      filterHref: (word: string) => hrefOf(paths.launch.employers, word),
      pageHref: (page: number) => hrefOf(paths.launch.employers, urval, page),
      csvHref: hrefOf(paths.launch.employersCsv, urval),
    });
  };
}

export function employersCsv(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const { urval } = employerListSchema.parse(req.query);
    const t = res.locals.t;
    startCsv(res, t('launch.csv.employersFile'));
    await launch.exportEmployers(
      EMPLOYER_FILTERS[urval],
      res,
      ['employer', 'organisationNumber', 'registryEmail', 'orderer', 'ordererEmail', 'letters', 'lastLetter'].map(
        (key) => t(`launch.csv.${key}`),
      ),
      (row) => [
        row.name,
        formatOrganisationNumber(row.organisation_number),
        row.registry_email ?? '',
        row.orderer_name ?? '',
        row.orderer_email ?? '',
        String(row.letters),
        dateTime(row.last_letter_at),
      ],
    );
    res.end();
  };
}

export function codes(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const { sida } = codeListSchema.parse(req.query);
    const result = await launch.codesWithoutAdministrator(sida);
    res.render('launch/codes', {
      result,
      pageHref: (page: number) => hrefOf(paths.launch.codes, undefined, page),
    });
  };
}

export function codesCsv(launch: LaunchService): RequestHandler {
  return async (_req, res) => {
    const t = res.locals.t;
    startCsv(res, t('launch.csv.codesFile'));
    await launch.exportCodes(
      res,
      ['code', 'codeName', 'employer', 'organisationNumber', 'orderer', 'ordererEmail'].map((key) =>
        t(`launch.csv.${key}`),
      ),
      (row) => [
        row.code,
        row.code_name,
        row.employer_name,
        formatOrganisationNumber(row.organisation_number),
        row.orderer_name ?? '',
        row.orderer_email ?? '',
      ],
    );
    res.end();
  };
}

export function imported(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const { urval, sida } = importedListSchema.parse(req.query);
    const result = await launch.importedUsers(IMPORTED_FILTERS[urval], sida);
    res.render('launch/imported', {
      filter: urval,
      filters: Object.keys(IMPORTED_FILTERS),
      result,
      filterHref: (word: string) => hrefOf(paths.launch.imported, word),
      pageHref: (page: number) => hrefOf(paths.launch.imported, urval, page),
      csvHref: hrefOf(paths.launch.importedCsv, urval),
    });
  };
}

export function importedCsv(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const { urval } = importedListSchema.parse(req.query);
    const t = res.locals.t;
    const yesNo = (value: boolean) => t(value ? 'launch.csv.yes' : 'launch.csv.no');
    startCsv(res, t('launch.csv.importedFile'));
    await launch.exportImported(
      IMPORTED_FILTERS[urval],
      res,
      [
        'name',
        'email',
        'code',
        'employer',
        'organisationNumber',
        'importedAt',
        'current',
        'reviewed',
        'reviewedAt',
      ].map((key) => t(`launch.csv.${key}`)),
      (row) => [
        row.display_name,
        row.email ?? '',
        row.code,
        row.employer_name,
        formatOrganisationNumber(row.organisation_number),
        dateTime(row.imported_at),
        yesNo(row.current),
        yesNo(row.reviewed_at !== null),
        dateTime(row.reviewed_at),
      ],
    );
    res.end();
  };
}
