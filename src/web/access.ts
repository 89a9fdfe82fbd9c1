import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import type { Knex } from 'knex';
import { match } from 'path-to-regexp';
import { recordAudit } from '../audit/service';
import { auditRole } from '../context/permissions';
import type { EmployerContext } from '../context/types';
import { paths } from '../paths';
import { forbidden, HttpError } from './http-errors';

/**
 * Who may use a route. Every route of the app is declared below, once; a request to a declared route is checked
 * against it here, before the feature's own checks (which stay, and which check each object against the database).
 * The access-matrix test requests every actual route as every kind of person and fails on a route not declared.
 */
export type Access =
  /** Public pages, the SAML endpoints, health checks; the development e-ID and mailbox (never in production). */
  | 'anyone'
  /** The decision API: a registered client's bearer token (401 otherwise); no session. */
  | 'api-client'
  /** Any person logged in with e-ID. */
  | 'logged-in'
  /** The person named in an orderer application, logged in, after following the invitation link. */
  | 'invited'
  /** Any role at the chosen employer: orderer, delegate, administrator or user. */
  | 'employer'
  /** The orderer, a delegate or an administrator of the chosen employer (an administrator: its codes only). */
  | 'employer-history'
  /** The orderer or a delegate of the chosen employer: they appoint the administrators. */
  | 'manager'
  /**
   * An administrator of at least one code of the chosen employer (the orderer and delegates administer every code);
   * each code and person is checked again by the service.
   */
  | 'administration'
  /** The agency's staff. */
  | 'staff';

type Method = 'GET' | 'POST' | 'ALL';

const routes = (access: Access, method: Method, ...patterns: string[]) =>
  patterns.map((pattern) => ({ key: `${method} ${pattern}`, access }));

const { administrators, api, audit, launch, mail, onboarding, permissions, requests, reviews, staff } = paths;

/** The declaration: `METHOD /path/:param` → who may use it. */
export const ROUTE_ACCESS: ReadonlyMap<string, Access> = new Map(
  [
    ...routes('anyone', 'GET', paths.start, paths.health, paths.ready, paths.login, paths.loggedOut),
    // loopback or the METRICS_TOKEN only (checked by the metrics handler itself)
    ...routes('anyone', 'GET', paths.metrics),
    ...routes('anyone', 'GET', paths.saml.metadata, api.metadata, api.openapi),
    ...routes('anyone', 'POST', paths.saml.acs, paths.logout),
    ...routes('anyone', 'GET', paths.devEid.metadata, paths.devEid.sso, paths.devEid.authenticate),
    ...routes('anyone', 'POST', paths.devEid.sso, paths.devEid.authenticate),
    ...routes('anyone', 'GET', mail.devMailbox, mail.devMailboxMessage, mail.devMailboxHtml),
    // the link alone grants nothing: it asks for a login, then checks that the person is the one named
    ...routes('anyone', 'GET', onboarding.invitation),
    ...routes('anyone', 'ALL', api.metadata, api.openapi),
    ...routes('api-client', 'POST', api.evaluation, api.evaluations, api.searchResource),
    ...routes('api-client', 'ALL', api.evaluation, api.evaluations, api.searchResource),

    ...routes('logged-in', 'GET', paths.context.choose, audit.own, audit.ownExport),
    ...routes('logged-in', 'POST', paths.context.choose),

    ...routes('invited', 'GET', onboarding.form, onboarding.details, onboarding.terms, onboarding.review),
    ...routes('invited', 'GET', onboarding.signatureReturn, onboarding.confirmation, onboarding.paperPdf),
    ...routes('invited', 'POST', onboarding.details, onboarding.terms, onboarding.sign, onboarding.paper),

    ...routes('employer', 'GET', paths.overview),
    ...routes('employer', 'GET', requests.mine, requests.create),
    ...routes('employer', 'POST', requests.create),
    ...routes('employer-history', 'GET', audit.employer, audit.employerExport),

    ...routes('manager', 'GET', administrators.list, administrators.appoint, administrators.change),
    ...routes('manager', 'GET', administrators.remove),
    ...routes('manager', 'POST', administrators.appoint, administrators.change, administrators.remove),

    ...routes('administration', 'GET', permissions.users, permissions.export, permissions.newUser, permissions.user),
    ...routes('administration', 'POST', permissions.search, permissions.removeInactive, permissions.newUser),
    ...routes('administration', 'POST', permissions.grant, permissions.revoke, permissions.removeFromCode),
    ...routes('administration', 'POST', permissions.endDate),
    ...routes('administration', 'POST', permissions.removeFromEmployer),
    ...routes('administration', 'GET', requests.queue),
    ...routes('administration', 'POST', requests.approve, requests.reject),
    ...routes('administration', 'GET', reviews.review),
    ...routes('administration', 'POST', reviews.review),

    ...routes('staff', 'GET', staff.root, staff.employers, staff.newEmployer, staff.employer, staff.editEmployer),
    ...routes('staff', 'GET', staff.newCode, staff.editCode, staff.closeCode, staff.terms, staff.termsVersion),
    ...routes('staff', 'POST', staff.newEmployer, staff.editEmployer, staff.newCode, staff.editCode, staff.closeCode),
    ...routes('staff', 'POST', staff.terms),
    ...routes('staff', 'GET', onboarding.staff.applications, onboarding.staff.newApplication),
    ...routes('staff', 'GET', onboarding.staff.application),
    ...routes('staff', 'POST', onboarding.staff.newApplication, onboarding.staff.resend, onboarding.staff.cancel),
    ...routes('staff', 'POST', onboarding.staff.recordPaper),
    ...routes('staff', 'GET', launch.dashboard, launch.employers, launch.employersCsv, launch.codes, launch.codesCsv),
    ...routes('staff', 'GET', launch.imported, launch.importedCsv, launch.letter, launch.letterSent),
    ...routes('staff', 'POST', launch.letter),
    ...routes('staff', 'GET', audit.staff, audit.staffExport, mail.staffOutbox),
    ...routes('staff', 'POST', mail.staffRetry),
    ...routes('staff', 'GET', reviews.staff),
  ].map(({ key, access }) => [key, access]),
);

interface Declared {
  method: string;
  pattern: string;
  access: Access;
  matches: (path: string) => boolean;
}

const DECLARED: Declared[] = [...ROUTE_ACCESS].map(([key, access]) => {
  const [method = '', pattern = ''] = key.split(' ');
  const test = match(pattern, { decode: false });
  return { method, pattern, access, matches: (path: string) => test(path) !== false };
});

/** The declaration of the route a request is for, or undefined (an unknown path: the 404 page). */
export function declaredRoute(req: Request): Declared | undefined {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  return DECLARED.find((route) => route.method === method && route.matches(req.path));
}

/** Whether the roles at the chosen employer fit the route's access. */
function fits(access: Access, context: EmployerContext): boolean {
  const administers = context.roles.administratorCodeIds.length > 0;
  const manages = context.roles.orderer || context.roles.delegate;
  switch (access) {
    case 'manager':
      return manages;
    case 'administration':
      return administers;
    case 'employer-history':
      return manages || administers;
    default:
      return true;
  }
}

const EMPLOYER_ACCESS: ReadonlySet<Access> = new Set(['employer', 'employer-history', 'manager', 'administration']);

/**
 * Checks every request to a declared route against its declaration: no login → the login page; logged in without
 * the role → 403. A person with roles at several employers who has not chosen one is left to the page, which asks.
 */
export function setUpAccess(app: Express): void {
  app.use((req, res, next) => {
    const route = declaredRoute(req);
    if (!route || route.access === 'anyone' || route.access === 'api-client') {
      next();
      return;
    }
    const person = res.locals.currentPerson;
    if (!person) {
      if (req.method === 'GET' && route.access !== 'invited') req.session.returnTo = req.originalUrl;
      res.redirect(paths.login);
      return;
    }
    if (route.access === 'staff' && !person.isStaff) {
      next(forbidden(`${route.pattern} is for staff`));
      return;
    }
    const context = res.locals.employerContext;
    if (EMPLOYER_ACCESS.has(route.access) && context && !fits(route.access, context)) {
      next(forbidden(`${route.pattern} needs ${route.access}`));
      return;
    }
    next();
  });
}

function actorRole(res: Response): 'staff' | 'orderer' | 'delegate' | 'administrator' | 'user' {
  const context = res.locals.employerContext;
  if (context) return auditRole(context);
  return res.locals.currentPerson?.isStaff ? 'staff' : 'user';
}

/**
 * Audits every refusal of a logged-in person on a declared route (403, and 404 for an object outside their reach),
 * in its own transaction: who, in which employer's context, which route (the pattern, never the ids or anything
 * typed). Rows without an employer: staff see them in the agency's history, employers' histories do not.
 * The refusal itself goes on to the error pages.
 */
export function auditRefusals(db: Knex, now: () => number): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const person = res.locals.currentPerson;
    const route = declaredRoute(req);
    if (!(error instanceof HttpError) || (error.status !== 403 && error.status !== 404) || !person || !route) {
      next(error);
      return;
    }
    const context = res.locals.employerContext;
    db.transaction((trx) =>
      recordAudit(
        trx,
        {
          actor: {
            type: 'person',
            personId: person.id,
            role: actorRole(res),
            requestId: typeof req.id === 'string' ? req.id : undefined,
          },
          action: error.status === 403 ? 'access.refused' : 'access.not_found',
          // the agency's security trail, not the employer's history: the employer is named in the data only
          after: {
            request: `${route.method} ${route.pattern}`,
            status: error.status,
            ...(context ? { employer: context.employer.name } : {}),
          },
        },
        new Date(now()),
      ),
    ).then(
      () => {
        next(error);
      },
      (auditError: unknown) => {
        req.log.error({ err: auditError }, 'refusal not audited');
        next(error);
      },
    );
  };
}
