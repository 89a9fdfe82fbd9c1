/** Every URL of the portal, used by routes, redirects, views and tests. */
export const paths = {
  start: '/',
  health: '/healthz',
  ready: '/readyz',
  assets: '/assets',
} as const;
