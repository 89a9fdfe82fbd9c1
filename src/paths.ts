/** Every URL of the portal, used by routes, redirects, views and tests. */
export const paths = {
  start: '/',
  health: '/healthz',
  ready: '/readyz',
  assets: '/assets',
  login: '/logga-in',
  logout: '/logga-ut',
  loggedOut: '/utloggad',
  overview: '/oversikt',
  saml: {
    metadata: '/saml/metadata',
    acs: '/saml/acs',
  },
  devEid: {
    root: '/dev-eid',
    metadata: '/dev-eid/metadata',
    sso: '/dev-eid/sso',
    authenticate: '/dev-eid/authenticate',
  },
} as const;
