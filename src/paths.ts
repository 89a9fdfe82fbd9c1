import { administratorsPaths } from './administrators/paths';
import { apiPaths } from './api/paths';
import { auditPaths } from './audit/paths';
import { contextPaths } from './context/paths';
import { launchPaths } from './launch/paths';
import { mailPaths } from './mail/paths';
import { onboardingPaths } from './onboarding/paths';
import { permissionsPaths } from './permissions/paths';
import { requestsPaths } from './requests/paths';
import { reviewsPaths } from './reviews/paths';
import { staffPaths } from './staff/paths';

/** Every URL of the portal, used by routes, redirects, views and tests. Features keep theirs in their own file. */
export const paths = {
  start: '/',
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
  assets: '/assets',
  login: '/logga-in',
  logout: '/logga-ut',
  loggedOut: '/utloggad',
  overview: '/oversikt',
  saml: {
    metadata: '/saml/metadata',
    acs: '/saml/acs',
  },
  context: contextPaths,
  administrators: administratorsPaths,
  permissions: permissionsPaths,
  requests: requestsPaths,
  reviews: reviewsPaths,
  audit: auditPaths,
  staff: staffPaths,
  onboarding: onboardingPaths,
  mail: mailPaths,
  api: apiPaths,
  launch: launchPaths,
  devEid: {
    root: '/dev-eid',
    metadata: '/dev-eid/metadata',
    sso: '/dev-eid/sso',
    authenticate: '/dev-eid/authenticate',
  },
} as const;

/** Fills a route pattern's `:params` (`pathTo(paths.staff.employer, { employerId })`); ids only, never a person's number. */
export function pathTo(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${pattern}`);
    return encodeURIComponent(value);
  });
}
