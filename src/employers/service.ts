import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import type { FieldError } from '../web/forms';
import * as repository from './repository';
import type { EmployerCodeInput, EmployerInput } from './schemas';

export type { EmployerCodeRow, EmployerListRow, EmployerRow, RoleHolderRow } from './repository';
/** For other features' look-ups: employers by organisation number, part of the name or a code; one employer by id. */
export { findEmployer, searchEmployers } from './repository';

/** What a change came to: saved, refused with a message per field (nothing stored), or nothing to change. */
export type Outcome<T> =
  { status: 'saved'; value: T } | { status: 'invalid'; errors: FieldError[] } | { status: 'not-found' };

export const EMPLOYERS_PER_PAGE = 50;

/** Unique constraints whose violation is the person's input, not a fault: the field and the message to show. */
const UNIQUE_FIELDS: Record<string, FieldError> = {
  employers_organisation_number_key: {
    field: 'organisationNumber',
    message: 'employers.errors.organisationNumberTaken',
  },
  employer_codes_code_key: { field: 'code', message: 'employers.errors.codeTaken' },
};

/** A unique violation that reached the database despite the check first (two saves at once) as a field error. */
function asFieldError(error: unknown): FieldError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== '23505' || typeof constraint !== 'string') return undefined;
  return UNIQUE_FIELDS[constraint];
}

async function refusingDuplicates<T>(work: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await work();
  } catch (error) {
    const fieldError = asFieldError(error);
    if (fieldError) return { status: 'invalid', errors: [fieldError] };
    throw error;
  }
}

const invalid = (field: string, message: string): Outcome<never> => ({
  status: 'invalid',
  errors: [{ field, message }],
});

function employerData(employer: repository.EmployerRow | EmployerInput) {
  return 'id' in employer
    ? { organisationNumber: employer.organisation_number, name: employer.name, registryEmail: employer.registry_email }
    : { organisationNumber: employer.organisationNumber, name: employer.name, registryEmail: employer.registryEmail };
}

function codeData(code: repository.EmployerCodeRow | EmployerCodeInput) {
  return 'id' in code
    ? { code: code.code, name: code.name, active: code.active, closedOn: code.closed_on }
    : { code: code.code, name: code.name, active: code.active, closedOn: code.closedOn };
}

const sameData = (before: object, after: object) => JSON.stringify(before) === JSON.stringify(after);

/** Employers and their employer codes (registered and kept by agency staff); every change audited. */
export function employersService(db: Knex, now: () => number) {
  return {
    /** Employers matching an organisation number, a part of the name or a code; 50 a page, by name. */
    async search(text: string, page: number) {
      const { rows, total } = await repository.searchEmployers(db, text, {
        limit: EMPLOYERS_PER_PAGE,
        offset: (page - 1) * EMPLOYERS_PER_PAGE,
      });
      return { employers: rows, total, page, pageCount: Math.max(1, Math.ceil(total / EMPLOYERS_PER_PAGE)) };
    },

    find(employerId: string) {
      return repository.findEmployer(db, employerId);
    },

    findCode(employerId: string, codeId: string) {
      return repository.findCode(db, employerId, codeId);
    },

    /** The employer, its codes and the people in charge: the guidance staff give a caller. */
    async overview(employerId: string) {
      const employer = await repository.findEmployer(db, employerId);
      if (!employer) return undefined;
      const at = new Date(now());
      const [codes, orderers, delegates, administrators] = await Promise.all([
        repository.listCodes(db, employerId),
        repository.orderers(db, employerId),
        repository.currentDelegates(db, employerId, at),
        repository.currentAdministrators(db, employerId, at),
      ]);
      const administratorsByCode = codes.map((code) => ({
        code,
        administrators: administrators.filter((administrator) => administrator.employer_code_id === code.id),
      }));
      return { employer, codes, orderers, delegates, administratorsByCode };
    },

    register(input: EmployerInput, actor: Actor): Promise<Outcome<repository.EmployerRow>> {
      const at = new Date(now());
      return refusingDuplicates(() =>
        db.transaction(async (trx) => {
          if (await repository.findEmployerIdByOrganisationNumber(trx, input.organisationNumber)) {
            return invalid('organisationNumber', 'employers.errors.organisationNumberTaken');
          }
          const employer = await repository.insertEmployer(trx, input, at);
          await recordAudit(
            trx,
            {
              actor,
              action: 'employer.registered',
              employerId: employer.id,
              subjectType: 'employer',
              subjectId: employer.id,
              after: employerData(employer),
            },
            at,
          );
          return { status: 'saved', value: employer };
        }),
      );
    },

    update(employerId: string, input: EmployerInput, actor: Actor): Promise<Outcome<repository.EmployerRow>> {
      const at = new Date(now());
      return refusingDuplicates(() =>
        db.transaction(async (trx) => {
          const before = await repository.findEmployer(trx, employerId, { lock: true });
          if (!before) return { status: 'not-found' };
          const holder = await repository.findEmployerIdByOrganisationNumber(trx, input.organisationNumber);
          if (holder && holder !== employerId) {
            return invalid('organisationNumber', 'employers.errors.organisationNumberTaken');
          }
          if (sameData(employerData(before), employerData(input))) return { status: 'saved', value: before };
          await repository.updateEmployer(trx, employerId, input, at);
          await recordAudit(
            trx,
            {
              actor,
              action: 'employer.updated',
              employerId,
              subjectType: 'employer',
              subjectId: employerId,
              before: employerData(before),
              after: employerData(input),
            },
            at,
          );
          return { status: 'saved', value: { ...before, ...toEmployerRow(input) } };
        }),
      );
    },

    addCode(employerId: string, input: EmployerCodeInput, actor: Actor): Promise<Outcome<repository.EmployerCodeRow>> {
      const at = new Date(now());
      return refusingDuplicates(() =>
        db.transaction(async (trx) => {
          if (!(await repository.findEmployer(trx, employerId, { lock: true }))) return { status: 'not-found' };
          if (await repository.findCodeIdByCode(trx, input.code)) return invalid('code', 'employers.errors.codeTaken');
          const code = await repository.insertCode(trx, employerId, input, at);
          await recordAudit(
            trx,
            {
              actor,
              action: 'employer_code.added',
              employerId,
              employerCodeId: code.id,
              subjectType: 'employer_code',
              subjectId: code.id,
              after: codeData(code),
            },
            at,
          );
          return { status: 'saved', value: code };
        }),
      );
    },

    updateCode(
      employerId: string,
      codeId: string,
      input: EmployerCodeInput,
      actor: Actor,
    ): Promise<Outcome<repository.EmployerCodeRow>> {
      return changeCode(employerId, codeId, actor, 'employer_code.updated', async (trx) => {
        const holder = await repository.findCodeIdByCode(trx, input.code);
        if (holder && holder !== codeId) return invalid('code', 'employers.errors.codeTaken');
        return input;
      });
    },

    /** Marks an active code inactive (closed on the given date); its history and invoices stay reachable. */
    closeCode(
      employerId: string,
      codeId: string,
      closedOn: string,
      actor: Actor,
    ): Promise<Outcome<repository.EmployerCodeRow>> {
      return changeCode(employerId, codeId, actor, 'employer_code.closed', (_trx, before) =>
        Promise.resolve(
          before.active
            ? { code: before.code, name: before.name, active: false, closedOn }
            : invalid('closedOn', 'employers.errors.codeAlreadyInactive'),
        ),
      );
    },
  };

  /** Locks the code, asks `decide` for its new state (or a refusal), saves it and audits before and after. */
  function changeCode(
    employerId: string,
    codeId: string,
    actor: Actor,
    action: string,
    decide: (
      trx: Knex.Transaction,
      before: repository.EmployerCodeRow,
    ) => Promise<EmployerCodeInput | Outcome<repository.EmployerCodeRow>>,
  ): Promise<Outcome<repository.EmployerCodeRow>> {
    const at = new Date(now());
    return refusingDuplicates(() =>
      db.transaction(async (trx) => {
        const before = await repository.findCode(trx, employerId, codeId, { lock: true });
        if (!before) return { status: 'not-found' };
        const decision = await decide(trx, before);
        if ('status' in decision) return decision;
        if (sameData(codeData(before), codeData(decision))) return { status: 'saved', value: before };
        await repository.updateCode(trx, codeId, decision, at);
        await recordAudit(
          trx,
          {
            actor,
            action,
            employerId,
            employerCodeId: codeId,
            subjectType: 'employer_code',
            subjectId: codeId,
            before: codeData(before),
            after: codeData(decision),
          },
          at,
        );
        const { code, name, active, closedOn } = decision;
        return { status: 'saved', value: { ...before, code, name, active, closed_on: closedOn } };
      }),
    );
  }
}

function toEmployerRow(input: EmployerInput) {
  return { organisation_number: input.organisationNumber, name: input.name, registry_email: input.registryEmail };
}

export type EmployersService = ReturnType<typeof employersService>;
