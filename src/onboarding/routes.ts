import { Router } from 'express';
import type { Services } from '../services';
import { ordererFormRoutes } from './form-routes';
import { applicationRoutes } from './staff-routes';

/** Orderer applications (staff side) and the orderer's confirmation form. */
export function onboardingRoutes(services: Services): Router {
  const router = Router();
  router.use(applicationRoutes(services.onboarding.applications));
  router.use(ordererFormRoutes(services.onboarding.form));
  return router;
}
