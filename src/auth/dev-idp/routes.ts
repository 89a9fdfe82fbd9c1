import { Router } from 'express';
import { paths } from '../../paths';
import { receiveAuthnRequest, receivePostedAuthnRequest } from './authn-request';
import { renderRefused, showAuthenticate, submitAuthenticate, type PageDependencies } from './pages';
import { RefusedRequest } from './refusal';
import type { IdpContext } from './types';

const METADATA_TYPE = 'application/samlmetadata+xml';

/** The development IdP's endpoints: metadata, the Redirect-binding SSO service and the page where a person is picked. */
export function devEidRouter(context: IdpContext, deps: PageDependencies): Router {
  const router = Router();

  router.get(paths.devEid.metadata, (_req, res) => {
    res.type(METADATA_TYPE).send(context.metadataXml);
  });

  router.get(paths.devEid.sso, async (req, res) => {
    const queryStart = req.originalUrl.indexOf('?');
    try {
      req.session.devEid = await receiveAuthnRequest(
        queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1),
        context,
      );
    } catch (error) {
      if (!(error instanceof RefusedRequest)) throw error;
      req.log.warn({ reason: error.message }, 'development e-ID refused an AuthnRequest');
      renderRefused(res, error.reason);
      return;
    }
    res.redirect(paths.devEid.authenticate);
  });

  // HTTP-POST binding: the portal's sign requests (the page that posts them is the portal's, on another origin in
  // real life, so this endpoint is exempt from the portal's CSRF check: the request's own signature protects it).
  router.post(paths.devEid.sso, async (req, res) => {
    try {
      req.session.devEid = await receivePostedAuthnRequest((req.body ?? {}) as Record<string, unknown>, context);
    } catch (error) {
      if (!(error instanceof RefusedRequest)) throw error;
      req.log.warn({ reason: error.message }, 'development e-ID refused an AuthnRequest');
      renderRefused(res, error.reason);
      return;
    }
    res.redirect(paths.devEid.authenticate);
  });

  router.get(paths.devEid.authenticate, (req, res) => showAuthenticate(req, res, deps));
  router.post(paths.devEid.authenticate, (req, res) => submitAuthenticate(req, res, deps));

  return router;
}
