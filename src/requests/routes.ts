import { Router } from 'express';
import { requireEmployer } from '../context/middleware';
import type { ContextService } from '../context/service';
import * as pages from './pages';
import { requestsPaths } from './paths';
import type { RequestsService } from './service';

/**
 * A user's requests (any role at the chosen employer) and the administrators' queue (those who administer a code
 * here; the service checks each request's code again against the role assignments).
 */
export function requestsRoutes(services: { requests: RequestsService; context: ContextService }): Router {
  const { requests } = services;
  const router = Router();
  router.use(requestsPaths.mine, requireEmployer(services.context));
  router.use(requestsPaths.queue, requireEmployer(services.context), pages.requireAdministration);
  router.get(requestsPaths.mine, pages.mine(requests));
  router.get(requestsPaths.create, pages.viewForm(requests));
  router.post(requestsPaths.create, pages.submit(requests));
  router.get(requestsPaths.queue, pages.queue(requests));
  router.post(requestsPaths.approve, pages.approve(requests));
  router.post(requestsPaths.reject, pages.reject(requests));
  return router;
}
