/** The orderer's and delegate's pages for appointing the employer's administrators (ids are persons' uuids). */
export const administratorsPaths = {
  list: '/administratorer',
  appoint: '/administratorer/ny',
  change: '/administratorer/:personId/andra',
  remove: '/administratorer/:personId/ta-bort',
} as const;
