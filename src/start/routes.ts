import { Router } from 'express';
import { paths } from '../paths';

export function startRoutes(): Router {
  const router = Router();
  router.get(paths.start, (_req, res) => {
    res.render('start/index');
  });
  return router;
}
