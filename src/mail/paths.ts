/** The mail feature's URLs; `paths.ts` includes them as `paths.mail`. Fill `:params` with `pathTo`. */
export const mailPaths = {
  /** Staff: email waiting or failed, with a retry button. */
  staffOutbox: '/handlaggare/e-post',
  staffRetry: '/handlaggare/e-post/:emailId/forsok-igen',
  /** Development only: what the portal would have sent. */
  devMailbox: '/dev-mail',
  devMailboxMessage: '/dev-mail/:messageId',
  devMailboxHtml: '/dev-mail/:messageId/html',
} as const;
