/** The decision API's URLs (OpenID AuthZEN Authorization API 1.0): JSON only, no session. */
export const apiPaths = {
  /** Everything under it answers with problem JSON, never an HTML page. */
  root: '/access',
  metadata: '/.well-known/authzen-configuration',
  evaluation: '/access/v1/evaluation',
  evaluations: '/access/v1/evaluations',
  searchResource: '/access/v1/search/resource',
  openapi: '/access/v1/openapi.json',
} as const;
