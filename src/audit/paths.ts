/** The audit trail's pages: the employer's history, a person's own history, and the agency's view of everything. */
export const auditPaths = {
  employer: '/historik',
  employerExport: '/historik/export.csv',
  own: '/min-historik',
  ownExport: '/min-historik/export.csv',
  staff: '/handlaggare/historik',
  staffExport: '/handlaggare/historik/export.csv',
} as const;
