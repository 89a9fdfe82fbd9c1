import type { RequestHandler } from 'express';

/** The back office's start page: look an employer up, or register one. */
export const view: RequestHandler = (_req, res) => {
  res.render('staff/index');
};
