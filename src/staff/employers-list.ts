import type { RequestHandler } from 'express';
import type { EmployersService } from '../employers/service';
import { employerSearchSchema } from '../employers/schemas';
import { paths } from '../paths';

function pageHref(query: string, page: number): string {
  const search = new URLSearchParams();
  if (query) search.set('q', query);
  if (page > 1) search.set('sida', String(page));
  const text = search.toString();
  return text ? `${paths.staff.employers}?${text}` : paths.staff.employers;
}

/** The employers, or those matching an organisation number, a name or a code: 50 a page. */
export function view(employers: EmployersService): RequestHandler {
  return async (req, res) => {
    const { q, sida } = employerSearchSchema.parse(req.query);
    const result = await employers.search(q, sida);
    res.render('staff/employers', {
      query: q,
      result,
      pageHref: (page: number) => pageHref(q, page),
    });
  };
}
