/** The launch (införande) pages of the back office; `paths.ts` includes them as `paths.launch`. */
export const launchPaths = {
  /** Launch progress across all employers. */
  dashboard: '/handlaggare/lansering',
  /** The employers behind the dashboard's figures (`?urval=`), and as CSV. */
  employers: '/handlaggare/lansering/arbetsgivare',
  employersCsv: '/handlaggare/lansering/arbetsgivare.csv',
  /** Active employer codes without a current administrator. */
  codes: '/handlaggare/lansering/koder-utan-administrator',
  codesCsv: '/handlaggare/lansering/koder-utan-administrator.csv',
  /** Imported users (person and code), reviewed or not (`?urval=`). */
  imported: '/handlaggare/lansering/importerade-anvandare',
  importedCsv: '/handlaggare/lansering/importerade-anvandare.csv',
  /** The launch letter: choose the audience, preview, send (and confirm a second send). */
  letter: '/handlaggare/lansering/brev',
  /** What one sending (one form submission) sent. */
  letterSent: '/handlaggare/lansering/brev/skickat/:submissionId',
} as const;
