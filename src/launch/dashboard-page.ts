import type { RequestHandler } from 'express';
import type { LaunchService } from './service';

/** Launch progress across all employers: each figure links to the list behind it. */
export function view(launch: LaunchService): RequestHandler {
  return async (_req, res) => {
    res.render('launch/dashboard', { figures: await launch.figures() });
  };
}
