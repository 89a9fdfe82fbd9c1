/** The orderer's confirmation form (from the invitation email) and the staff pages for orderer applications. */
export const onboardingPaths = {
  root: '/bestallare',
  /** The link in the invitation email; the token is kept in the session, never in further URLs. */
  invitation: '/bestallare/inbjudan/:token',
  form: '/bestallare/formular',
  details: '/bestallare/formular/uppgifter',
  terms: '/bestallare/formular/villkor',
  review: '/bestallare/formular/granska',
  sign: '/bestallare/formular/signera',
  signatureReturn: '/bestallare/formular/signatur',
  paper: '/bestallare/formular/skriv-ut',
  paperPdf: '/bestallare/formular/blankett.pdf',
  confirmation: '/bestallare/formular/klart',
  staff: {
    applications: '/handlaggare/ansokningar',
    newApplication: '/handlaggare/ansokningar/ny',
    application: '/handlaggare/ansokningar/:applicationId',
    resend: '/handlaggare/ansokningar/:applicationId/skicka-igen',
    cancel: '/handlaggare/ansokningar/:applicationId/avbryt',
    recordPaper: '/handlaggare/ansokningar/:applicationId/pappersblankett',
  },
} as const;
