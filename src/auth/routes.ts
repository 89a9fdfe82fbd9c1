import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import passport from 'passport';
import { SamlStatusError } from '@node-saml/passport-saml';
import { paths } from '../paths';
import type { PersonsService } from '../persons/service';
import { markSessionStart } from '../web/session';
import { CANCEL_STATUS } from './saml-constants';
import type { SamlSetup } from './saml-setup';
import type { SigningService } from './signing';
import { createSamlStrategy, setRequestOptions, type VerifiedLogin } from './strategy';

interface Dependencies {
  saml: SamlSetup;
  persons: PersonsService;
  signing: SigningService;
  db: Parameters<typeof createSamlStrategy>[1];
  now: () => number;
}

function isCancel(error: unknown): boolean {
  return error instanceof SamlStatusError && error.xmlStatus.includes(CANCEL_STATUS);
}

/** A path on this site to go back to after login (never another origin: `//host` and `/\\host` are refused). */
function safeReturnPath(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : undefined;
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error) reject(new Error('session could not be regenerated', { cause: error }));
      else resolve();
    });
  });
}

/** Login with e-ID (SAML), the assertion consumer service, the SP metadata, logout. */
export function authRoutes({ saml, persons, signing, db, now }: Dependencies): Router {
  const authenticator = new passport.Passport();
  authenticator.use('saml', createSamlStrategy(saml, db, now));
  const router = Router();

  router.get(paths.saml.metadata, (_req, res) => {
    res.type('application/samlmetadata+xml').send(saml.sp.metadataXml);
  });

  const sendToIdp = authenticator.authenticate('saml', { session: false }) as RequestHandler;
  router.get(paths.login, (req, res, next) => {
    const returnTo = safeReturnPath(req.session.returnTo);
    if (!returnTo) {
      sendToIdp(req, res, next);
      return;
    }
    // The IdP's answer arrives cross-site without the session cookie: keep the way back with the request's id.
    const id = `_${randomBytes(20).toString('hex')}`;
    saml.cache.reserve(id, returnTo).then(() => {
      setRequestOptions(req, { generateUniqueId: () => id });
      sendToIdp(req, res, next);
    }, next);
  });

  router.post(paths.saml.acs, (req: Request, res: Response, next: NextFunction) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (typeof body?.SAMLResponse !== 'string') {
      res.status(400).render('auth/login-failed', { requestId: req.id });
      return;
    }
    const done = (error: unknown, login: VerifiedLogin | false | undefined) => {
      if (isCancel(error)) {
        res.redirect(`${paths.start}?login=cancelled`);
        return;
      }
      if (error || !login) {
        req.log.warn({ reason: error instanceof Error ? error.message : 'no login' }, 'e-ID response refused');
        res.status(400).render('auth/login-failed', { requestId: req.id });
        return;
      }
      completeResponse(req, res, login).catch(next);
    };
    (authenticator.authenticate('saml', { session: false }, done) as RequestHandler)(req, res, next);
  });

  /** A verified answer either settles a sign request (and logs no one in) or logs the person in. */
  async function completeResponse(req: Request, res: Response, login: VerifiedLogin): Promise<void> {
    const signature = await signing.complete(login.identity, typeof req.id === 'string' ? req.id : undefined);
    if (signature) {
      req.log.info({ signatureRequest: signature.requestId, outcome: signature.result.outcome }, 'e-ID signature');
      res.redirect(`${signature.returnPath}?signature=${encodeURIComponent(signature.requestId)}`);
      return;
    }
    const person = await persons.recordLogin(login.identity);
    const returnTo =
      safeReturnPath(await saml.cache.returnPath(login.identity.inResponseTo)) ?? safeReturnPath(req.session.returnTo);
    await regenerate(req);
    req.session.personId = person.id;
    markSessionStart(req, now());
    req.log.info({ personId: person.id }, 'logged in with e-ID');
    res.redirect(returnTo ?? paths.overview);
  }

  router.post(paths.logout, (req, res, next) => {
    req.session.destroy((error: unknown) => {
      if (error) {
        next(error);
        return;
      }
      res.clearCookie(req.app.get('session cookie name') as string, { path: '/' });
      res.redirect(paths.loggedOut);
    });
  });

  router.get(paths.loggedOut, (_req, res) => {
    res.render('auth/logged-out');
  });

  return router;
}
