import { Router } from 'express';
import { requireEmployer } from '../context/middleware';
import type { Services } from '../services';
import * as appointForm from './appoint-form';
import * as changeForm from './change-form';
import { administratorsLocals, requireAdministratorManager } from './context';
import * as listPage from './list-page';
import { administratorsPaths } from './paths';
import * as removePage from './remove-page';
import type { AdministratorsService } from './service';

/**
 * The orderer's and delegates' pages for the employer's administrators. Every path needs an employer chosen and the
 * orderer or delegate role there (anyone else: 403); each person and code in a request is checked against that
 * employer (anything else: 404).
 */
export function administratorsRoutes(
  services: Pick<Services, 'context'> & { administrators: AdministratorsService },
): Router {
  const { administrators } = services;
  const router = Router();
  router.use(administratorsPaths.list, requireEmployer(services.context), requireAdministratorManager);

  router.get(administratorsPaths.list, administratorsLocals, listPage.view(administrators));
  router.get(administratorsPaths.appoint, appointForm.view(administrators));
  router.post(administratorsPaths.appoint, appointForm.submit(administrators));
  router.get(administratorsPaths.change, changeForm.view(administrators));
  router.post(administratorsPaths.change, changeForm.submit(administrators));
  router.get(administratorsPaths.remove, removePage.view(administrators));
  router.post(administratorsPaths.remove, removePage.submit(administrators));
  return router;
}
