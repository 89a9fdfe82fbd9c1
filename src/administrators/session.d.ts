import 'express-session';

/** Messages shown once on the administrators page after a change (post-redirect-get). */
export interface AdministratorsFlash {
  /** Locale keys under administrators.flash, with their parameters. */
  messages: { key: string; params: Record<string, string> }[];
}

declare module 'express-session' {
  interface SessionData {
    administratorsFlash?: AdministratorsFlash;
  }
}

declare global {
  namespace Express {
    interface Locals {
      administratorsFlash?: AdministratorsFlash | undefined;
    }
  }
}
