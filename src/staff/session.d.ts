import 'express-session';

/** A message shown once on the next back-office page, after a save (post-redirect-get). */
export interface StaffFlash {
  /** A locale key under staff.flash. */
  message: string;
  params: Record<string, string>;
}

declare module 'express-session' {
  interface SessionData {
    staffFlash?: StaffFlash;
  }
}

declare global {
  namespace Express {
    interface Locals {
      /** The back office's flash, taken from the session for this page. */
      staffFlash?: StaffFlash | undefined;
    }
  }
}
