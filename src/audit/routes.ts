import { Router } from 'express';
import { requireEmployer } from '../context/middleware';
import type { ContextService } from '../context/service';
import { requireLogin, requireStaff } from '../web/current-person';
import type { AuditHistoryService } from './history-service';
import { exportCsv, historyPages, view } from './pages';
import { auditPaths } from './paths';

/**
 * The audit trail's pages. The employer's history needs an employer chosen and a role there (orderer, delegate or
 * administrator; 403 otherwise); a person's own history needs a login; everything needs staff. The scope always
 * comes from the roles; a filter naming a code outside it is refused (403).
 */
export function auditRoutes(services: { history: AuditHistoryService; context: ContextService }): Router {
  const { history } = services;
  const router = Router();
  const employer = requireEmployer(services.context);
  router.get(auditPaths.employer, employer, view(history, historyPages.employer));
  router.get(auditPaths.employerExport, employer, exportCsv(history, historyPages.employer));
  router.get(auditPaths.own, requireLogin, view(history, historyPages.own));
  router.get(auditPaths.ownExport, requireLogin, exportCsv(history, historyPages.own));
  router.get(auditPaths.staff, requireStaff, view(history, historyPages.staff));
  router.get(auditPaths.staffExport, requireStaff, exportCsv(history, historyPages.staff));
  return router;
}
