import { Router } from 'express';
import { z } from 'zod';
import { paths } from '../paths';
import { lastDayOf } from '../permissions/end-date';
import type { Services } from '../services';
import { requireLogin } from '../web/current-person';
import { parseForm } from '../web/forms';
import { requireEmployer } from './middleware';
import { canManageAdministrators, isAdministratorOfAny } from './permissions';
import type { ContactRow, ServiceRow } from './service';

const choiceSchema = z.object({ employerId: z.uuid('context.choose.required') });

interface CodeServices {
  code: string;
  name: string;
  active: boolean;
  /** validUntil: the last day of a time-limited permission (YYYY-MM-DD, Swedish time). */
  services: { key: string; name: string; validUntil: string | null }[];
}

function byCode(rows: ServiceRow[]): CodeServices[] {
  const codes = new Map<string, CodeServices>();
  for (const row of rows) {
    const code = codes.get(row.code) ?? { code: row.code, name: row.code_name, active: row.code_active, services: [] };
    code.services.push({
      key: row.service_key,
      name: row.service_name,
      validUntil: row.expires_at ? lastDayOf(row.expires_at) : null,
    });
    codes.set(row.code, code);
  }
  return [...codes.values()];
}

/** One entry per person and role, with the codes an administrator holds. */
function people(rows: ContactRow[]): (Omit<ContactRow, 'code'> & { codes: string[] })[] {
  const found = new Map<string, Omit<ContactRow, 'code'> & { codes: string[] }>();
  for (const row of rows) {
    const key = `${row.role}:${row.name}:${row.email ?? ''}`;
    const entry = found.get(key) ?? { role: row.role, name: row.name, email: row.email, phone: row.phone, codes: [] };
    if (row.code) entry.codes.push(row.code);
    found.set(key, entry);
  }
  return [...found.values()];
}

/** The safe place to go after choosing: a path on this site, else the start page. */
function returnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : paths.overview;
}

/** Choosing the employer, and the start page in its context: the person's services and whom to ask. */
export function contextRoutes(services: Services): Router {
  const router = Router();
  const { context } = services;

  router.get(paths.context.choose, requireLogin, async (req, res) => {
    // From the header's switch link: after choosing, the person comes back to the page they were on.
    const back = req.query.tillbaka;
    if (typeof back === 'string' && back !== paths.context.choose && returnPath(back) === back) {
      req.session.returnTo = back;
    }
    const person = res.locals.currentPerson;
    const employers = person ? await context.employersOf(person.id) : [];
    if (employers.length === 0) {
      res.status(403).render('context/no-role');
      return;
    }
    res.render('context/choose', { employers, errors: [] });
  });

  router.post(paths.context.choose, requireLogin, async (req, res) => {
    const person = res.locals.currentPerson;
    if (!person) return;
    const employers = await context.employersOf(person.id);
    const parsed = parseForm(choiceSchema, req.body);
    const chosen = parsed.ok ? employers.find((employer) => employer.id === parsed.data.employerId) : undefined;
    if (!chosen) {
      res.status(422).render('context/choose', {
        employers,
        errors: [{ field: `employer-${employers[0]?.id ?? ''}`, message: 'context.choose.required' }],
      });
      return;
    }
    req.session.employerId = chosen.id;
    const target = returnPath(req.session.returnTo);
    delete req.session.returnTo;
    res.redirect(303, target);
  });

  router.get(paths.overview, requireEmployer(context), async (_req, res) => {
    const person = res.locals.currentPerson;
    const current = res.locals.employerContext;
    if (!person || !current) return;
    const [serviceRows, contactRows, employers] = await Promise.all([
      context.servicesOf(person.id, current.employer.id),
      context.contactsOf(current.employer.id),
      context.employersOf(person.id),
    ]);
    const adminLinks = [
      ...(canManageAdministrators(current)
        ? [{ href: paths.administrators.list, label: 'context.start.administratorsLink' }]
        : []),
      ...(isAdministratorOfAny(current) ? [{ href: paths.permissions.users, label: 'context.start.usersLink' }] : []),
    ];
    res.render('context/start', {
      adminLinks,
      codes: byCode(serviceRows),
      contacts: people(contactRows),
      severalEmployers: employers.length > 1,
    });
  });

  return router;
}
