/** The agency's back office (handläggare). Patterns with `:params` are filled with `pathTo`. */
export const staffPaths = {
  root: '/handlaggare',
  employers: '/handlaggare/arbetsgivare',
  newEmployer: '/handlaggare/arbetsgivare/ny',
  employer: '/handlaggare/arbetsgivare/:employerId',
  editEmployer: '/handlaggare/arbetsgivare/:employerId/andra',
  newCode: '/handlaggare/arbetsgivare/:employerId/koder/ny',
  editCode: '/handlaggare/arbetsgivare/:employerId/koder/:codeId/andra',
  closeCode: '/handlaggare/arbetsgivare/:employerId/koder/:codeId/avsluta',
  terms: '/handlaggare/villkor',
  termsVersion: '/handlaggare/villkor/:termsId',
} as const;
