import type { Express, RequestHandler } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type pg from 'pg';
import type { Config } from '../config';

const PgStore = connectPgSimple(session);

/** Marks the start of a session the first time something is stored in it (for the absolute timeout). */
export function markSessionStart(req: Express.Request, now: number): void {
  req.session.startedAt ??= now;
}

function absoluteTimeout(maxAgeMs: number, now: () => number): RequestHandler {
  return (req, _res, next) => {
    const startedAt = req.session.startedAt;
    if (startedAt === undefined || now() - startedAt <= maxAgeMs) {
      next();
      return;
    }
    req.session.regenerate((error) => {
      next(error);
    });
  };
}

/**
 * Sessions in PostgreSQL (shared by every app instance). The cookie is httpOnly and SameSite=Lax, Secure with the
 * __Host- prefix in production; it expires after the idle time (renewed on each request) and the session ends
 * after the absolute time whatever the activity.
 */
/** Sessions live in PostgreSQL, shared by every app instance. */
export function createSessionStore(pool: pg.Pool): session.Store {
  return new PgStore({ pool, tableName: 'sessions', createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
}

export function setUpSession(app: Express, config: Config, store: session.Store, now: () => number): void {
  const idleMs = config.session.idleMinutes * 60_000;
  const name = config.isProduction ? '__Host-portal.sid' : 'portal.sid';
  app.set('session cookie name', name);
  app.use(
    session({
      name,
      secret: config.session.secret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      // 'keep': with 'destroy', a request whose session could not be read (the database restarting) would delete
      // the person's session as it ends, logging them out. Logout destroys the session itself.
      unset: 'keep',
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction, path: '/', maxAge: idleMs },
    }),
  );
  app.use(absoluteTimeout(config.session.absoluteHours * 3_600_000, now));
  app.use(saveBeforeRedirect);
}

/**
 * express-session stores a changed session while the response is already on its way: a browser that follows a
 * redirect at once can ask for the next page before the store has it (the e-ID round trip, a flash message). A
 * session that holds anything is therefore saved before the redirect is sent. Empty sessions stay unsaved.
 */
const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = (...args: unknown[]) => {
    // After logout the session is gone (destroy removes req.session).
    const session = req.session as typeof req.session | undefined;
    if (!session || !Object.keys(session).some((key) => key !== 'cookie')) {
      redirect(...args);
      return;
    }
    session.save((error: unknown) => {
      if (error) next(error);
      else redirect(...args);
    });
  };
  next();
};
