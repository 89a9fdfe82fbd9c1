import { Router } from 'express';
import { requireEmployer } from '../context/middleware';
import type { ContextService } from '../context/service';
import { requireAdministration } from './context';
import * as newUser from './new-user';
import * as overview from './overview';
import { permissionsPaths } from './paths';
import type { PermissionsService } from './service';
import * as userPage from './user-page';

/**
 * Administrators (and the orderer and delegate) administer users of the codes they hold. Every path needs a login,
 * an employer chosen and at least one administered code (403 otherwise); the service checks each code and person
 * again against the role assignments in the database.
 */
export function permissionsRoutes(services: { permissions: PermissionsService; context: ContextService }): Router {
  const { permissions } = services;
  const router = Router();
  router.use(permissionsPaths.users, requireEmployer(services.context), requireAdministration);

  router.get(permissionsPaths.users, overview.view(permissions));
  router.post(permissionsPaths.search, overview.search);
  router.get(permissionsPaths.export, overview.exportCsv(permissions));
  router.post(permissionsPaths.removeInactive, overview.removeInactive(permissions));
  router.get(permissionsPaths.newUser, newUser.viewNew(permissions));
  router.post(permissionsPaths.newUser, newUser.submitNew(permissions));
  router.get(permissionsPaths.user, userPage.view(permissions));
  router.post(permissionsPaths.grant, userPage.grant(permissions));
  router.post(permissionsPaths.revoke, userPage.revoke(permissions));
  router.post(permissionsPaths.endDate, userPage.setEndDate(permissions));
  router.post(permissionsPaths.removeFromCode, userPage.removeFromCode(permissions));
  router.post(permissionsPaths.removeFromEmployer, userPage.removeFromEmployer(permissions));
  return router;
}
