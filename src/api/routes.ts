import express, { type Express, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { requireApiClient } from './authentication';
import { clientAuthenticator } from './clients';
import { openApiDocument } from './openapi';
import { apiPaths } from './paths';
import { methodNotAllowed, problemErrorHandler, sendProblem, unknownPath } from './problems';
import { apiRateLimit } from './rate-limit';
import type { DecisionService } from './service';
import type { EvaluationRequest, EvaluationsRequest } from './types';
import { compileValidators, type FieldError, type RequestValidators, type Validated } from './validation';

export interface DecisionApiDependencies {
  db: Knex;
  now: () => number;
  decisions: DecisionService;
  baseUrl: string;
  rateLimitPerMinute: number;
  clientCacheSeconds: number;
}

/** Discovery documents change only with a release: let callers and proxies keep them for an hour. */
const DISCOVERY_CACHE = 'public, max-age=3600';
/** At most this many problems are listed in one 400, whatever the size of the batch. */
const MAX_LISTED_ERRORS = 20;

/** Bodies are JSON: another media type is refused with 415 (an empty body falls to the schema check, 400). */
const requireJson: RequestHandler = (req, res, next) => {
  if (req.headers['content-length'] !== '0' && req.is('application/json') === false) {
    sendProblem(res, 415, 'Send the body as application/json.');
    return;
  }
  next();
};

/** Decisions are about persons and true only now: no cache along the way may keep them. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

function badRequest(res: express.Response, errors: FieldError[]): void {
  sendProblem(res, 400, 'The body does not match the request schema (see errors).', errors.slice(0, MAX_LISTED_ERRORS));
}

/** A batch's items completed with its top-level defaults (an item's own value wins), each checked whole. */
function completeEvaluations(body: EvaluationsRequest, validators: RequestValidators): Validated<EvaluationRequest[]> {
  const items = body.evaluations ?? [];
  const errors: FieldError[] = [];
  const complete: EvaluationRequest[] = [];
  items.forEach((item, index) => {
    const merged = {
      subject: item.subject ?? body.subject,
      action: item.action ?? body.action,
      resource: item.resource ?? body.resource,
      ...((item.context ?? body.context) ? { context: item.context ?? body.context } : {}),
    };
    const checked = validators.evaluationItem(merged);
    if (checked.valid) complete.push(checked.value);
    else
      errors.push(...checked.errors.map((error) => ({ ...error, pointer: `/evaluations/${index}${error.pointer}` })));
  });
  return errors.length > 0 ? { valid: false, errors } : { valid: true, value: complete };
}

/**
 * The decision API (OpenID AuthZEN Authorization API 1.0) for the self-service services. Mounted before the session,
 * CSRF and templates: JSON in, JSON out, a bearer token per client, one SQL statement per answer. Anything under
 * /access that fails answers with RFC 9457 problem JSON.
 */
export function setUpDecisionApi(app: Express, deps: DecisionApiDependencies): void {
  const document = openApiDocument(deps.baseUrl);
  const documentJson = JSON.stringify(document);
  const validators = compileValidators(document);
  const metadata = {
    policy_decision_point: deps.baseUrl,
    access_evaluation_endpoint: `${deps.baseUrl}${apiPaths.evaluation}`,
    access_evaluations_endpoint: `${deps.baseUrl}${apiPaths.evaluations}`,
    search_resource_endpoint: `${deps.baseUrl}${apiPaths.searchResource}`,
    openapi_document: `${deps.baseUrl}${apiPaths.openapi}`,
  };
  const guarded: RequestHandler[] = [
    noStore,
    requireApiClient(clientAuthenticator(deps.db, deps.now, { cacheSeconds: deps.clientCacheSeconds })),
    apiRateLimit(deps.rateLimitPerMinute),
    requireJson,
    express.json({ limit: '64kb', strict: true, type: 'application/json' }),
  ];
  const router = express.Router();

  router.get(apiPaths.metadata, (_req, res) => {
    res.setHeader('Cache-Control', DISCOVERY_CACHE);
    res.json(metadata);
  });
  router.all(apiPaths.metadata, methodNotAllowed('GET, HEAD'));
  router.get(apiPaths.openapi, (_req, res) => {
    res.setHeader('Cache-Control', DISCOVERY_CACHE);
    res.type('application/json').send(documentJson);
  });
  router.all(apiPaths.openapi, methodNotAllowed('GET, HEAD'));

  router.post(apiPaths.evaluation, ...guarded, async (req, res) => {
    const checked = validators.evaluation(req.body);
    if (!checked.valid) {
      badRequest(res, checked.errors);
      return;
    }
    res.json(await deps.decisions.evaluate(checked.value));
  });
  router.all(apiPaths.evaluation, methodNotAllowed('POST'));

  router.post(apiPaths.evaluations, ...guarded, async (req, res) => {
    const checked = validators.evaluations(req.body);
    if (!checked.valid) {
      badRequest(res, checked.errors);
      return;
    }
    const body = checked.value;
    if (!body.evaluations?.length) {
      // No evaluations: the request is a single evaluation (the spec's backwards-compatible form).
      const single = validators.evaluationItem({ subject: body.subject, action: body.action, resource: body.resource });
      if (!single.valid) {
        badRequest(res, single.errors);
        return;
      }
      res.json(await deps.decisions.evaluate(single.value));
      return;
    }
    const items = completeEvaluations(body, validators);
    if (!items.valid) {
      badRequest(res, items.errors);
      return;
    }
    const semantic = body.options?.evaluations_semantic ?? 'execute_all';
    res.json({ evaluations: await deps.decisions.evaluateAll(items.value, semantic) });
  });
  router.all(apiPaths.evaluations, methodNotAllowed('POST'));

  router.post(apiPaths.searchResource, ...guarded, async (req, res) => {
    const checked = validators.searchResource(req.body);
    if (!checked.valid) {
      badRequest(res, checked.errors);
      return;
    }
    res.json({ results: await deps.decisions.searchServices(checked.value), page: { next_token: '' } });
  });
  router.all(apiPaths.searchResource, methodNotAllowed('POST'));

  router.use(apiPaths.root, unknownPath);
  router.use(problemErrorHandler);
  app.use(router);
}
