import type { Knex } from 'knex';
import { normalisePersonalIdentityNumber } from '../domain/identity-numbers';
import * as repository from './repository';
import type {
  Decision,
  EvaluationRequest,
  EvaluationsSemantic,
  ResourceSearchRequest,
  ServiceResult,
  Subject,
} from './types';

export const SUBJECT_TYPE = 'person';
export const ACTION_NAME = 'use';
export const RESOURCE_TYPE = 'service';

/** The 12 digits of the subject's number when the subject is a person the API can ask about at all. */
function personOf(subject: Subject, today: Date): string | null {
  if (subject.type !== SUBJECT_TYPE) return null;
  return normalisePersonalIdentityNumber(subject.id, today);
}

/**
 * personOf, remembering each subject id for the length of one batch: a batch usually asks about one person (the
 * spec's top-level default), and normalising a number is the costliest step outside the database.
 */
function personsOf(today: Date): (subject: Subject) => string | null {
  const seen = new Map<string, string | null>();
  return (subject) => {
    if (subject.type !== SUBJECT_TYPE) return null;
    let number = seen.get(subject.id);
    if (number === undefined) {
      number = normalisePersonalIdentityNumber(subject.id, today);
      seen.set(subject.id, number);
    }
    return number;
  };
}

/**
 * The question to put to the database, or null when the answer is "no" without asking: another subject, action or
 * resource type, or a number that is not a valid personal identity number.
 */
function questionFor(
  request: EvaluationRequest,
  person: (subject: Subject) => string | null,
): repository.GrantQuestion | null {
  if (request.action.name !== ACTION_NAME || request.resource.type !== RESOURCE_TYPE) return null;
  const personalIdentityNumber = person(request.subject);
  if (!personalIdentityNumber) return null;
  return {
    personalIdentityNumber,
    serviceKey: request.resource.id,
    employerCode: request.resource.properties.employer_code,
  };
}

/** Cuts the answers where a short-circuiting semantic stops (the spec returns the decisions up to that one). */
function applySemantic(decisions: boolean[], semantic: EvaluationsSemantic): boolean[] {
  const stopAt =
    semantic === 'deny_on_first_deny'
      ? decisions.indexOf(false)
      : semantic === 'permit_on_first_permit'
        ? decisions.indexOf(true)
        : -1;
  return stopAt === -1 ? decisions : decisions.slice(0, stopAt + 1);
}

/**
 * The decisions: may a person use a self-service service for an employer code? A grant counts while it is neither
 * revoked nor expired; on an inactive (closed) code only the invoice specifications stay usable. Every answer is one
 * SQL statement (one per batch), with `now` from the injected clock.
 */
export function decisionService(db: Knex, now: () => number) {
  return {
    async evaluate(request: EvaluationRequest): Promise<Decision> {
      const at = new Date(now());
      const question = questionFor(request, (subject) => personOf(subject, at));
      return { decision: question ? await repository.hasCurrentGrant(db, question, at) : false };
    },

    /** `requests` are complete (defaults already merged); the answers keep their order. */
    async evaluateAll(requests: readonly EvaluationRequest[], semantic: EvaluationsSemantic): Promise<Decision[]> {
      const at = new Date(now());
      const person = personsOf(at);
      const questions = requests.map((request) => questionFor(request, person));
      const asked = questions.filter((question): question is repository.GrantQuestion => question !== null);
      const answers = await repository.haveCurrentGrants(db, asked, at);
      let next = 0;
      const decisions = questions.map((question) => (question ? (answers[next++] ?? false) : false));
      return applySemantic(decisions, semantic).map((decision) => ({ decision }));
    },

    /** Which (service, employer code) the person may use; `resource.id`, when given, narrows it to that service. */
    async searchServices(request: ResourceSearchRequest): Promise<ServiceResult[]> {
      const at = new Date(now());
      if (request.action.name !== ACTION_NAME || request.resource.type !== RESOURCE_TYPE) return [];
      const personalIdentityNumber = personOf(request.subject, at);
      if (!personalIdentityNumber) return [];
      const usable = await repository.usableServices(db, personalIdentityNumber, request.resource.id, at);
      return usable.map((row) => ({
        type: RESOURCE_TYPE,
        id: row.serviceKey,
        properties: { employer_code: row.employerCode },
      }));
    },
  };
}

export type DecisionService = ReturnType<typeof decisionService>;
