import { Router } from 'express';
import { paths } from '../paths';
import type { Services } from '../services';
import { requireStaff } from '../web/current-person';
import * as closeCode from './close-code';
import * as codeForm from './code-form';
import { backOfficeLocals } from './context';
import * as employerForm from './employer-form';
import * as employerPage from './employer-page';
import * as employersList from './employers-list';
import * as startPage from './start-page';
import * as termsPage from './terms-page';
import * as termsVersionPage from './terms-version-page';

/**
 * The agency's back office: employers, codes, look-up, the general terms. Everything under the back office's root
 * is for logged-in staff only (anonymous: the login; anyone else: 403), whichever router answers the path.
 */
export function staffRoutes(services: Services): Router {
  const { employers, terms } = services;
  const router = Router();
  router.use(paths.staff.root, requireStaff, backOfficeLocals);

  router.get(paths.staff.root, startPage.view);
  router.get(paths.staff.employers, employersList.view(employers));
  router.get(paths.staff.newEmployer, employerForm.viewNew);
  router.post(paths.staff.newEmployer, employerForm.submitNew(employers));
  router.get(paths.staff.employer, employerPage.view(employers));
  router.get(paths.staff.editEmployer, employerForm.viewEdit(employers));
  router.post(paths.staff.editEmployer, employerForm.submitEdit(employers));
  router.get(paths.staff.newCode, codeForm.viewNew(employers));
  router.post(paths.staff.newCode, codeForm.submitNew(employers));
  router.get(paths.staff.editCode, codeForm.viewEdit(employers));
  router.post(paths.staff.editCode, codeForm.submitEdit(employers));
  router.get(paths.staff.closeCode, closeCode.view(employers));
  router.post(paths.staff.closeCode, closeCode.submit(employers));
  // Published terms are never edited (an orderer's signature names the version): publishing is the only change.
  router.get(paths.staff.terms, termsPage.view(terms));
  router.post(paths.staff.terms, termsPage.submit(terms));
  router.get(paths.staff.termsVersion, termsVersionPage.view(terms));
  return router;
}
