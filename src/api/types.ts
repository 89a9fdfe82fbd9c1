/**
 * The request and response bodies of the decision API (OpenID AuthZEN Authorization API 1.0). The JSON Schemas in
 * openapi.ts are the contract and are checked on every request; these types say the same for TypeScript.
 */

export interface Subject {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

export interface Action {
  name: string;
  properties?: Record<string, unknown>;
}

export interface Resource {
  type: string;
  id: string;
  properties: { employer_code: string } & Record<string, unknown>;
}

export interface EvaluationRequest {
  subject: Subject;
  action: Action;
  resource: Resource;
  context?: Record<string, unknown>;
}

export type EvaluationsSemantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

export interface EvaluationsRequest {
  subject?: Subject;
  action?: Action;
  resource?: Resource;
  context?: Record<string, unknown>;
  evaluations?: Partial<EvaluationRequest>[];
  options?: { evaluations_semantic?: EvaluationsSemantic } & Record<string, unknown>;
}

export interface ResourceSearchRequest {
  subject: Subject;
  action: Action;
  resource: { type: string; id?: string; properties?: Record<string, unknown> };
  context?: Record<string, unknown>;
  page?: Record<string, unknown>;
}

export interface Decision {
  decision: boolean;
}

export interface ServiceResult {
  type: 'service';
  id: string;
  properties: { employer_code: string };
}
