/** The administrators' pages for users and their permissions. Patterns with `:params` are filled with `pathTo`. */
export const permissionsPaths = {
  users: '/anvandare',
  search: '/anvandare/sok',
  export: '/anvandare/export.csv',
  newUser: '/anvandare/ny',
  removeInactive: '/anvandare/ta-bort-inaktiva',
  user: '/anvandare/:personId',
  grant: '/anvandare/:personId/ge-behorighet',
  revoke: '/anvandare/:personId/ta-bort-behorighet',
  endDate: '/anvandare/:personId/slutdatum',
  removeFromCode: '/anvandare/:personId/ta-bort-fran-kod',
  removeFromEmployer: '/anvandare/:personId/ta-bort',
} as const;

/** The overview filtered on inactive users (the inactivity emails link here). */
export const INACTIVE_FILTER = { param: 'visa', value: 'inaktiva' } as const;
