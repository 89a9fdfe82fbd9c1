import { Router } from 'express';
import { paths } from '../paths';

export function startRoutes(): Router {
  const router = Router();
  router.get(paths.start, (req, res) => {
    res.render('start/index', { loginCancelled: req.query.login === 'cancelled' });
  });
  return router;
}
