import { Router, type Request, type Response } from 'express';
import { paths } from '../../paths';
import { receiveAuthnRequest, receivePostedAuthnRequest } from './authn-request';
import { renderRefused, showAuthenticate, submitAuthenticate, type PageDependencies } from './pages';
import { RefusedRequest } from './refusal';
import type { IdpContext, PendingRequest } from './types';

const METADATA_TYPE = 'application/samlmetadata+xml';

/** The development IdP's endpoints: metadata, the SSO service (Redirect and POST bindings), the pick page. */
export function devEidRouter(context: IdpContext, deps: PageDependencies): Router {
  const router = Router();

  router.get(paths.devEid.metadata, (_req, res) => {
    res.type(METADATA_TYPE).send(context.metadataXml);
  });

  /** Keeps a verified request in the session and goes to the pick page, or shows why it was refused. */
  async function receive(req: Request, res: Response, reading: () => Promise<PendingRequest>): Promise<void> {
    try {
      req.session.devEid = await reading();
    } catch (error) {
      if (!(error instanceof RefusedRequest)) throw error;
      req.log.warn({ reason: error.message }, 'development e-ID refused an AuthnRequest');
      renderRefused(res, error.reason);
      return;
    }
    res.redirect(paths.devEid.authenticate);
  }

  // HTTP-Redirect binding: login requests. The signature covers the query string exactly as received.
  router.get(paths.devEid.sso, (req, res) => {
    const queryStart = req.originalUrl.indexOf('?');
    const rawQuery = queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1);
    return receive(req, res, () => receiveAuthnRequest(rawQuery, context));
  });

  // HTTP-POST binding: the portal's sign requests (the page that posts them is the portal's, on another origin in
  // real life, so this endpoint is exempt from the portal's CSRF check: the request's own signature protects it).
  router.post(paths.devEid.sso, (req, res) =>
    receive(req, res, () => receivePostedAuthnRequest((req.body ?? {}) as Record<string, unknown>, context)),
  );

  router.get(paths.devEid.authenticate, (req, res) => showAuthenticate(req, res, deps));
  router.post(paths.devEid.authenticate, (req, res) => submitAuthenticate(req, res, deps));

  return router;
}
