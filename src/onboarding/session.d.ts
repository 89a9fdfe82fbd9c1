import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The invitation token of the orderer form being filled in (kept here, never in further URLs). */
    ordererInvitation?: string;
  }
}
