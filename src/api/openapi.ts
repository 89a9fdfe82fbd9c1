import { apiPaths } from './paths';

/**
 * The decision API's contract, OpenAPI 3.1 (its schemas are JSON Schema 2020-12). It is served at
 * /access/v1/openapi.json, and validation.ts compiles the request schemas below into the validators every request
 * goes through: change the contract here and the checks change with it.
 */

type JsonSchema = Readonly<Record<string, unknown>>;

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags?: readonly string[];
  security?: readonly Readonly<Record<string, readonly string[]>>[];
  requestBody?: JsonSchema;
  responses: Readonly<Record<string, JsonSchema>>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string };
  servers: readonly { url: string }[];
  tags: readonly { name: string; description: string }[];
  security: readonly Readonly<Record<string, readonly string[]>>[];
  paths: Readonly<Record<string, Readonly<Partial<Record<'get' | 'post', Operation>>>>>;
  components: {
    schemas: Readonly<Record<string, JsonSchema>>;
    responses: Readonly<Record<string, JsonSchema>>;
    securitySchemes: Readonly<Record<string, JsonSchema>>;
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
/** A short string without control characters (PostgreSQL cannot even compare text holding NUL). */
const text = (maxLength: number) => ({
  type: 'string',
  minLength: 1,
  maxLength,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});

const schemas = {
  Subject: {
    type: 'object',
    description:
      'The person asked about: `type` is `person` and `id` their personal identity number (personnummer or ' +
      'samordningsnummer; YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN or YYMMDD+NNNN). Any other type, or an id that ' +
      'is not a valid number, gets `decision: false`.',
    required: ['type', 'id'],
    properties: { type: text(100), id: text(100), properties: { type: 'object' } },
    examples: [{ type: 'person', id: '19121212-1212' }],
  },
  Action: {
    type: 'object',
    description: 'The one action the portal decides on is `use`; any other name gets `decision: false`.',
    required: ['name'],
    properties: { name: text(100), properties: { type: 'object' } },
    examples: [{ name: 'use' }],
  },
  Resource: {
    type: 'object',
    description:
      'A self-service service for an employer: `type` is `service`, `id` the service key (for example ' +
      '`rapport-direkt`, `fakturaspecifikationer`), and `properties.employer_code` the employer code ' +
      '(arbetsgivarkod) the person acts for. `properties.employer_code` is this portal\u2019s addition to AuthZEN ' +
      'and required here.',
    required: ['type', 'id', 'properties'],
    properties: {
      type: text(100),
      id: text(100),
      properties: {
        type: 'object',
        required: ['employer_code'],
        properties: { employer_code: text(64) },
      },
    },
    examples: [{ type: 'service', id: 'rapport-direkt', properties: { employer_code: '40101' } }],
  },
  Context: { type: 'object', description: 'Accepted and not used: decisions depend on the portal\u2019s clock only.' },
  EvaluationRequest: {
    type: 'object',
    required: ['subject', 'action', 'resource'],
    properties: { subject: ref('Subject'), action: ref('Action'), resource: ref('Resource'), context: ref('Context') },
  },
  EvaluationItem: {
    type: 'object',
    description: 'One evaluation of a batch; what it leaves out is taken from the top-level defaults.',
    properties: { subject: ref('Subject'), action: ref('Action'), resource: ref('Resource'), context: ref('Context') },
  },
  EvaluationsRequest: {
    type: 'object',
    description:
      'Top-level `subject`, `action`, `resource` and `context` are defaults for each item of `evaluations`; an ' +
      'item\u2019s own value wins. Each item, once completed with the defaults, must be a whole EvaluationRequest. ' +
      'Without `evaluations` (or with an empty array) the request is a single evaluation and gets a single decision.',
    properties: {
      subject: ref('Subject'),
      action: ref('Action'),
      resource: ref('Resource'),
      context: ref('Context'),
      evaluations: { type: 'array', maxItems: 1000, items: ref('EvaluationItem') },
      options: {
        type: 'object',
        properties: {
          evaluations_semantic: {
            enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'],
            default: 'execute_all',
          },
        },
      },
    },
    if: { required: ['evaluations'], properties: { evaluations: { type: 'array', minItems: 1 } } },
    else: { required: ['subject', 'action', 'resource'] },
  },
  SearchResource: {
    type: 'object',
    description:
      'The kind of resource searched for: `type` is `service`. AuthZEN says a PDP ignores `id` in a search; this ' +
      'portal reads it, when given, as the one service to list employer codes for (what a service needs right ' +
      'after login). Without it, every service the person may use is listed.',
    required: ['type'],
    properties: { type: text(100), id: text(100), properties: { type: 'object' } },
    examples: [{ type: 'service', id: 'fakturaspecifikationer' }],
  },
  ResourceSearchRequest: {
    type: 'object',
    required: ['subject', 'action', 'resource'],
    properties: {
      subject: ref('Subject'),
      action: ref('Action'),
      resource: ref('SearchResource'),
      context: ref('Context'),
      page: { type: 'object', description: 'Accepted; every answer fits one page.' },
    },
  },
  Decision: {
    type: 'object',
    required: ['decision'],
    properties: { decision: { type: 'boolean' }, context: { type: 'object' } },
    examples: [{ decision: true }],
  },
  EvaluationsResponse: {
    type: 'object',
    description:
      'The decisions in the order of the request\u2019s `evaluations`. With `deny_on_first_deny` the list ends at ' +
      'the first `false`, with `permit_on_first_permit` at the first `true`.',
    required: ['evaluations'],
    properties: { evaluations: { type: 'array', items: ref('Decision') } },
  },
  ServiceResult: {
    type: 'object',
    required: ['type', 'id', 'properties'],
    properties: {
      type: { const: 'service' },
      id: { type: 'string', description: 'The service key.' },
      properties: {
        type: 'object',
        required: ['employer_code'],
        properties: { employer_code: { type: 'string' } },
      },
    },
  },
  ResourceSearchResponse: {
    type: 'object',
    description:
      'Each service and employer code the person may use now; each gives `decision: true` when evaluated. Sorted ' +
      'by service, then code; always one page (`next_token` is empty).',
    required: ['results', 'page'],
    properties: {
      results: { type: 'array', items: ref('ServiceResult') },
      page: { type: 'object', required: ['next_token'], properties: { next_token: { type: 'string' } } },
    },
    examples: [
      {
        results: [
          { type: 'service', id: 'fakturaspecifikationer', properties: { employer_code: '40101' } },
          { type: 'service', id: 'fakturaspecifikationer', properties: { employer_code: '40199' } },
        ],
        page: { next_token: '' },
      },
    ],
  },
  Metadata: {
    type: 'object',
    description: 'AuthZEN policy decision point metadata, plus `openapi_document` (this document).',
    required: ['policy_decision_point', 'access_evaluation_endpoint'],
    properties: {
      policy_decision_point: { type: 'string' },
      access_evaluation_endpoint: { type: 'string' },
      access_evaluations_endpoint: { type: 'string' },
      search_resource_endpoint: { type: 'string' },
      openapi_document: { type: 'string' },
    },
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details. A 400 lists what was wrong in `errors` (JSON Pointers into the body).',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['pointer', 'detail'],
          properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
        },
      },
    },
  },
} as const satisfies Record<string, JsonSchema>;

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const responses = {
  BadRequest: problem('The body is not JSON, or does not match the schema.'),
  Unauthorized: {
    ...problem('No bearer token, or one that is unknown or revoked.'),
    headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer' } },
  },
  PayloadTooLarge: problem('The body is larger than 64 kB.'),
  UnsupportedMediaType: problem('The body is not sent as application/json.'),
  TooManyRequests: {
    ...problem('The client has used up its requests for this minute.'),
    headers: {
      'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until a request may be sent again.' },
      RateLimit: { schema: { type: 'string' }, description: 'The remaining quota (IETF RateLimit header fields).' },
      'RateLimit-Policy': { schema: { type: 'string' }, description: 'The quota and its window.' },
    },
  },
  ServerError: problem('Something failed in the portal; the X-Request-Id header identifies the request.'),
} as const satisfies Record<string, JsonSchema>;

const errorResponses = {
  '400': response('BadRequest'),
  '401': response('Unauthorized'),
  '413': response('PayloadTooLarge'),
  '415': response('UnsupportedMediaType'),
  '429': response('TooManyRequests'),
  '500': response('ServerError'),
} as const;

const jsonBody = (name: string) => ({ required: true, ...json(ref(name)) });

/** The document, with absolute URLs for this portal's address. */
export function openApiDocument(baseUrl: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Behörighetsportalen decision API',
      version: '1.0.0',
      description:
        'OpenID AuthZEN Authorization API 1.0: the self-service services ask whether a person may use a service ' +
        'for an employer code. A grant counts while it is neither revoked nor expired; on an inactive (closed) ' +
        'employer code only `fakturaspecifikationer` stays usable. Callers are registered API clients (bearer ' +
        'token from `npm run cli -- api-client add`), rate-limited per client. Errors are RFC 9457 problem JSON.',
    },
    servers: [{ url: baseUrl }],
    tags: [
      { name: 'decisions', description: 'Access evaluation and search.' },
      { name: 'discovery', description: 'Public, cacheable descriptions of the API.' },
    ],
    security: [{ bearerAuth: [] }],
    paths: {
      [apiPaths.evaluation]: {
        post: {
          operationId: 'evaluate',
          summary: 'May this person use this service for this employer code?',
          tags: ['decisions'],
          requestBody: jsonBody('EvaluationRequest'),
          responses: { '200': { description: 'The decision.', ...json(ref('Decision')) }, ...errorResponses },
        },
      },
      [apiPaths.evaluations]: {
        post: {
          operationId: 'evaluateMany',
          summary: 'Several decisions in one call (boxcarring), answered by one database statement.',
          tags: ['decisions'],
          requestBody: jsonBody('EvaluationsRequest'),
          responses: {
            '200': {
              description: 'The decisions in request order (or one decision for a request without evaluations).',
              ...json({ oneOf: [ref('EvaluationsResponse'), ref('Decision')] }),
            },
            ...errorResponses,
          },
        },
      },
      [apiPaths.searchResource]: {
        post: {
          operationId: 'searchResources',
          summary: 'Which employer codes may this person use a service for?',
          tags: ['decisions'],
          requestBody: jsonBody('ResourceSearchRequest'),
          responses: {
            '200': { description: 'The usable services and codes.', ...json(ref('ResourceSearchResponse')) },
            ...errorResponses,
          },
        },
      },
      [apiPaths.metadata]: {
        get: {
          operationId: 'metadata',
          summary: 'AuthZEN policy decision point metadata.',
          tags: ['discovery'],
          security: [],
          responses: { '200': { description: 'The metadata.', ...json(ref('Metadata')) } },
        },
      },
      [apiPaths.openapi]: {
        get: {
          operationId: 'openapi',
          summary: 'This document.',
          tags: ['discovery'],
          security: [],
          responses: { '200': { description: 'The OpenAPI 3.1 document.', ...json({ type: 'object' }) } },
        },
      },
    },
    components: {
      schemas,
      responses,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The secret printed once by `npm run cli -- api-client add <name>`.',
        },
      },
    },
  };
}
