import type { ErrorRequestHandler, Express } from 'express';
import type { i18n as I18n } from 'i18next';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from './database-unavailable';
import { HttpError } from './http-errors';

interface PageError {
  status: number;
  view:
    'errors/forbidden' | 'errors/not-found' | 'errors/server-error' | 'errors/session-expired' | 'errors/unavailable';
}

function isCsrfError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EBADCSRFTOKEN';
}

function pageFor(error: unknown): PageError {
  if (isDatabaseUnavailable(error)) return { status: 503, view: 'errors/unavailable' };
  if (isCsrfError(error)) return { status: 403, view: 'errors/session-expired' };
  if (error instanceof HttpError && error.status === 403) return { status: 403, view: 'errors/forbidden' };
  if (error instanceof HttpError && error.status === 404) return { status: 404, view: 'errors/not-found' };
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, view: status === 404 ? 'errors/not-found' : 'errors/forbidden' };
  }
  return { status: 500, view: 'errors/server-error' };
}

const PLAIN_TEXT_KEYS: Record<PageError['view'], string> = {
  'errors/forbidden': 'errors.forbidden.title',
  'errors/not-found': 'errors.not-found.title',
  'errors/server-error': 'errors.server-error.title',
  'errors/session-expired': 'errors.session-expired.title',
  'errors/unavailable': 'errors.unavailable.title',
};

/** The answer for a failure before a page can be rendered: the page's title, in Swedish and in English. */
export function plainErrorText(i18n: I18n, view: PageError['view']): string {
  const key = PLAIN_TEXT_KEYS[view];
  return `${i18n.getFixedT('sv')(key)} / ${i18n.getFixedT('en')(key)}`;
}

/** The 404 page for unknown paths, and one error page per kind of failure; details go to the log, never the page. */
export function setUpErrorHandling(app: Express, i18n: I18n): void {
  app.use((_req, res) => {
    res.status(404).render('errors/not-found');
  });
  const handler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const page = pageFor(error);
    if (page.status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.warn({ status: page.status, reason: (error as Error).message }, 'request refused');
    res.status(page.status);
    if (page.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    // Failures before the i18n step have no translator: a plain answer is all that can be given.
    if (!(res.locals as Partial<typeof res.locals>).t) {
      res.type('text/plain').send(plainErrorText(i18n, page.view));
      return;
    }
    res.render(page.view, { requestId: req.id }, (renderError: Error | null, html: string) => {
      if (renderError) {
        req.log.error({ err: renderError }, 'error page failed to render');
        res.type('text/plain').send(plainErrorText(i18n, 'errors/server-error'));
        return;
      }
      res.send(html);
    });
  };
  app.use(handler);
}
