import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OpenApiDocument } from './openapi';
import { apiPaths } from './paths';
import type { EvaluationRequest, EvaluationsRequest, ResourceSearchRequest } from './types';

/** Where a request body went wrong: a JSON Pointer into it and what the schema expected there (never the value). */
export interface FieldError {
  pointer: string;
  detail: string;
}

export type Validated<T> = { valid: true; value: T } | { valid: false; errors: FieldError[] };

export interface RequestValidators {
  evaluation(body: unknown): Validated<EvaluationRequest>;
  evaluations(body: unknown): Validated<EvaluationsRequest>;
  /** One evaluation of a batch once completed with the batch's defaults. */
  evaluationItem(body: unknown): Validated<EvaluationRequest>;
  searchResource(body: unknown): Validated<ResourceSearchRequest>;
}

/** The id the document is known by inside Ajv, so `#/components/...` references resolve within it. */
const DOCUMENT_ID = 'urn:behorighetsportalen:decision-api:openapi';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `$ref` of an operation's JSON request body, read from the document itself. */
function requestBodyRef(document: OpenApiDocument, path: string): string {
  const content = document.paths[path]?.post?.requestBody?.content;
  const schema = isRecord(content) && isRecord(content['application/json']) ? content['application/json'].schema : null;
  if (!isRecord(schema) || typeof schema.$ref !== 'string') throw new Error(`no JSON request body schema for ${path}`);
  return schema.$ref;
}

function fieldErrors(errors: ErrorObject[] | null | undefined, prefix: string): FieldError[] {
  return (errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const missing = (error.params as { missingProperty?: unknown }).missingProperty;
      const pointer = `${prefix}${error.instancePath}${typeof missing === 'string' ? `/${missing}` : ''}`;
      return { pointer: pointer || '/', detail: error.message ?? 'is not valid' };
    });
}

function checker<T>(validate: ValidateFunction) {
  return (body: unknown, prefix = ''): Validated<T> =>
    validate(body) ? { valid: true, value: body as T } : { valid: false, errors: fieldErrors(validate.errors, prefix) };
}

/**
 * Compiles, once at start-up, the request schemas the OpenAPI document names for each operation (JSON Schema
 * 2020-12), so that what is published and what is enforced cannot drift apart.
 */
export function compileValidators(document: OpenApiDocument): RequestValidators {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false });
  // strictRequired would refuse `required` in the else branch, which names properties declared beside it.
  // OpenAPI's own keywords around the schemas are not JSON Schema; only the schemas are compiled.
  ajv.addVocabulary(['openapi', 'info', 'servers', 'tags', 'paths', 'components', 'security', 'jsonSchemaDialect']);
  ajv.addSchema(document, DOCUMENT_ID);
  const compile = (ref: string): ValidateFunction => {
    const validate = ajv.getSchema(`${DOCUMENT_ID}${ref}`);
    if (!validate) throw new Error(`the OpenAPI document has no schema at ${ref}`);
    return validate;
  };
  const evaluation = checker<EvaluationRequest>(compile(requestBodyRef(document, apiPaths.evaluation)));
  return {
    evaluation: (body) => evaluation(body),
    evaluations: checker<EvaluationsRequest>(compile(requestBodyRef(document, apiPaths.evaluations))),
    evaluationItem: evaluation,
    searchResource: checker<ResourceSearchRequest>(compile(requestBodyRef(document, apiPaths.searchResource))),
  };
}
