import 'express-session';

/** A message shown once on the next page after a change (post-redirect-get): a locale key under permissions.flash. */
export interface PermissionsFlash {
  kind: 'success' | 'info';
  message: string;
  params: Record<string, string>;
}

declare module 'express-session' {
  interface SessionData {
    permissionsFlash?: PermissionsFlash;
    /** The overview's search term: kept here, not in the URL, because it may be a personal identity number. */
    permissionsSearch?: string;
  }
}

declare global {
  namespace Express {
    interface Locals {
      permissionsFlash?: PermissionsFlash | undefined;
    }
  }
}
