import 'express-session';
import type { PendingRequest } from './types';

declare module 'express-session' {
  interface SessionData {
    /** The development e-ID's request being answered; removed once answered. */
    devEid?: PendingRequest;
  }
}
