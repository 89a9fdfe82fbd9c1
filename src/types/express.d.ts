import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** When the session began (ms since epoch), for the absolute timeout. */
    startedAt?: number;
    /** The logged-in person (persons.id), set only after a verified e-ID login. */
    personId?: string;
    /** Where to go after the e-ID login (a path on this site), e.g. back to an invitation. */
    returnTo?: string;
    /** The employer the person works for right now (employers.id); checked against their roles on every request. */
    employerId?: string;
  }
}

declare global {
  namespace Express {
    interface Locals {
      t: (key: string, options?: Record<string, unknown>) => string;
      lang: 'sv' | 'en';
      otherLang: 'sv' | 'en';
      currentPath: string;
      languageSwitchHref: string;
      csrfToken: () => string;
      assets: { stylesheets: string[]; scripts: string[] };
      currentPerson: { id: string; displayName: string; isStaff: boolean } | undefined;
      employerContext: import('../context/types').EmployerContext | undefined;
      paths: typeof import('../paths').paths;
      pathTo: typeof import('../paths').pathTo;
    }
  }
}

export {};
