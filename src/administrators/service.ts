import { forbidden } from '../web/http-errors';
import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import { contactCompletion, type ContactFilled } from '../persons/service';
import type { Config } from '../config';
import { enqueueEmail } from '../mail/outbox';
import { paths } from '../paths';
import type { FieldError } from '../web/forms';
import * as repository from './repository';
import type { AppointInput } from './schemas';

export type { AdministratorRow, CodeRow, PersonRow } from './repository';

/** A message for one field; `params` fill the locale text (the code a refusal is about). */
export interface AdministratorError extends FieldError {
  params?: Record<string, string>;
}

/** What a change came to: saved, refused with messages (nothing stored), or not this employer's person or code. */
export type Outcome<T> =
  { status: 'saved'; value: T } | { status: 'invalid'; errors: AdministratorError[] } | { status: 'not-found' };

/** Appointments are made by a person (the orderer or a delegate): the assignment names who made it. */
export type PersonActor = Extract<Actor, { type: 'person' }>;

export interface Change {
  personId: string;
  name: string;
  /** Codes the person became administrator of. */
  added: repository.CodeRow[];
  /** Codes the person stopped administering. */
  removed: repository.CodeRow[];
  /** Codes asked for that the person already administered: nothing changed for them. */
  unchanged: repository.CodeRow[];
}

/** The field of a code's checkbox (and of its line on the remove page), where a refusal about the code is shown. */
export const codeField = (codeId: string): string => `code-${codeId}`;

const byCode = (a: repository.CodeRow, b: repository.CodeRow) => a.code.localeCompare(b.code);

/**
 * The employer's administrators, appointed per employer code by the orderer or a delegate. Every code that has an
 * administrator keeps at least one: each change locks the codes it touches before counting, so two changes at once
 * cannot both take away a code's last two administrators.
 */
export function administratorsService(db: Knex, now: () => number, config: Pick<Config, 'baseUrl'>) {
  /** Locks the codes in id order, then those the person turned out to hold after all (changed meanwhile). */
  async function lockAffected(
    trx: Knex.Transaction,
    employerId: string,
    personId: string,
    wanted: readonly string[],
    at: Date,
  ): Promise<{ locked: Map<string, repository.CodeRow>; current: string[] } | undefined> {
    const seen = await repository.administeredCodeIds(trx, employerId, personId, at);
    const rows = await repository.lockCodes(trx, employerId, [...new Set([...seen, ...wanted])]);
    const locked = new Map(rows.map((row) => [row.id, row]));
    if (wanted.some((id) => !locked.has(id))) return undefined;
    const current = await repository.administeredCodeIds(trx, employerId, personId, at);
    const late = current.filter((id) => !locked.has(id));
    for (const row of await repository.lockCodes(trx, employerId, late)) locked.set(row.id, row);
    return { locked, current };
  }

  /** A refusal for each code that would be left without an administrator (codes counted under their lock). */
  async function lastAdministratorErrors(
    trx: Knex.Transaction,
    personId: string,
    removing: readonly repository.CodeRow[],
    at: Date,
  ): Promise<AdministratorError[]> {
    const errors: AdministratorError[] = [];
    for (const code of removing) {
      if ((await repository.otherAdministratorCount(trx, code.id, personId, at)) === 0) {
        errors.push({
          field: codeField(code.id),
          message: 'administrators.errors.lastAdministrator',
          params: { code: code.code, name: code.name },
        });
      }
    }
    return errors;
  }

  /** Emails the orderer(s) and the administrator (once each) that the administrator now holds the new codes. */
  async function notify(
    trx: Knex.Transaction,
    employerId: string,
    administrator: repository.PersonRow,
    added: readonly repository.CodeRow[],
    at: Date,
  ): Promise<void> {
    const employer = await trx('employers').where({ id: employerId }).first<{ name: string }>('name');
    const recipients = new Map<string, repository.PersonRow>();
    for (const person of [...(await repository.currentOrderers(trx, employerId, at)), administrator]) {
      if (person.email) recipients.set(person.id, person);
    }
    for (const recipient of recipients.values()) {
      await enqueueEmail(
        trx,
        {
          to: recipient.email ?? '',
          recipientPersonId: recipient.id,
          language: recipient.preferred_language,
          template: 'administrators-appointed',
          data: {
            name: recipient.display_name,
            employerName: employer.name,
            administrators: [{ name: administrator.display_name, codes: added.map((code) => code.code) }],
            link: `${config.baseUrl}${paths.overview}`,
          },
        },
        at,
      );
    }
  }

  /**
   * Gives the person exactly the `wanted` codes among those in `scope` (the codes the change is about), refusing
   * when that leaves a code without an administrator. Audits and emails in the same transaction.
   */
  async function change(
    trx: Knex.Transaction,
    employerId: string,
    person: repository.PersonRow,
    request: { wanted: readonly string[]; keepOthers: boolean; action: string; filled?: ContactFilled },
    actor: PersonActor,
    at: Date,
  ): Promise<Outcome<Change>> {
    // The service checks the actor itself, not only the route: only the employer's orderer or a delegate appoints.
    const managers = await trx('role_assignments')
      .where({ employer_id: employerId, person_id: actor.personId })
      .whereIn('role', ['orderer', 'delegate'])
      .whereNull('revoked_at')
      .where((query) => {
        void query.whereNull('valid_until').orWhere('valid_until', '>', at);
      })
      .first<{ id: string } | undefined>('id');
    if (!managers) throw forbidden('not the orderer or a delegate of this employer');
    const affected = await lockAffected(trx, employerId, person.id, request.wanted, at);
    if (!affected) return { status: 'not-found' };
    const { locked, current } = affected;
    const code = (id: string): repository.CodeRow => {
      const row = locked.get(id);
      if (!row) throw new Error(`code ${id} not locked`);
      return row;
    };
    const added = request.wanted
      .filter((id) => !current.includes(id))
      .map(code)
      .sort(byCode);
    const unchanged = request.wanted
      .filter((id) => current.includes(id))
      .map(code)
      .sort(byCode);
    const removed = request.keepOthers
      ? []
      : current
          .filter((id) => !request.wanted.includes(id))
          .map(code)
          .sort(byCode);
    const result: Change = { personId: person.id, name: person.display_name, added, removed, unchanged };
    // a known person's missing email or phone, filled in from the form: one row per code of the form
    const completion = request.filled && contactCompletion(request.filled);
    if (completion) {
      for (const row of [...added, ...unchanged]) {
        await recordAudit(
          trx,
          {
            actor,
            action: 'person.contact_completed',
            employerId,
            employerCodeId: row.id,
            subjectType: 'person',
            subjectId: person.id,
            ...completion,
          },
          at,
        );
      }
    }
    if (added.length === 0 && removed.length === 0) return { status: 'saved', value: result };

    const errors = await lastAdministratorErrors(trx, person.id, removed, at);
    if (errors.length > 0) return { status: 'invalid', errors };

    await repository.revokeAssignments(
      trx,
      employerId,
      person.id,
      removed.map((row) => row.id),
      actor.personId,
      at,
    );
    const addedIds = added.map((row) => row.id);
    await repository.revokeLapsed(trx, person.id, addedIds, at);
    await repository.insertAssignments(trx, employerId, person.id, addedIds, actor.personId, at);
    // one row per code whose administrators changed, so each code's history (and its administrators) shows it
    for (const [row, was, is] of [
      ...added.map((row) => [row, [], [row.code]] as const),
      ...removed.map((row) => [row, [row.code], []] as const),
    ]) {
      await recordAudit(
        trx,
        {
          actor,
          action: request.action,
          employerId,
          employerCodeId: row.id,
          subjectType: 'person',
          subjectId: person.id,
          before: { name: person.display_name, codes: was },
          after: { name: person.display_name, codes: is },
        },
        at,
      );
    }
    if (added.length > 0) await notify(trx, employerId, person, added, at);
    return { status: 'saved', value: result };
  }

  return {
    /** Today, for reading a personal identity number (a birth date in the future is no number). */
    today(): Date {
      return new Date(now());
    },

    /** Every code of the employer (active and inactive) with its current administrators. */
    async overview(employerId: string) {
      const at = new Date(now());
      const [codes, administrators] = await Promise.all([
        repository.listCodes(db, employerId),
        repository.currentAdministrators(db, employerId, at),
      ]);
      return codes.map((code) => ({
        code,
        administrators: administrators.filter((administrator) => administrator.employer_code_id === code.id),
      }));
    },

    codes(employerId: string) {
      return repository.listCodes(db, employerId);
    },

    /** An administrator of this employer and the codes they hold; undefined for anyone else. */
    async administrator(employerId: string, personId: string) {
      const codeIds = await repository.administeredCodeIds(db, employerId, personId, new Date(now()));
      if (codeIds.length === 0) return undefined;
      const person = await repository.findPerson(db, personId);
      return person ? { person, codeIds } : undefined;
    },

    /**
     * Appoints the person (found by personal identity number, or created) administrator of the codes. Codes they
     * already administer are left as they are and reported as unchanged.
     */
    appoint(employerId: string, input: AppointInput, actor: PersonActor): Promise<Outcome<Change>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        // the codes first, so that a code of another employer stores nothing, not even the person
        const codes = await repository.lockCodes(trx, employerId, input.codes);
        if (codes.length !== input.codes.length) return { status: 'not-found' };
        const { row: person, filled } = await repository.findOrCreatePerson(trx, input, at);
        return change(
          trx,
          employerId,
          person,
          { wanted: input.codes, keepOthers: true, action: 'administrator.appointed', filled },
          actor,
          at,
        );
      });
    },

    /** Gives the administrator exactly these codes (at least one). */
    changeCodes(employerId: string, personId: string, codeIds: readonly string[], actor: PersonActor) {
      return changeOf(employerId, personId, codeIds, 'administrator.codes_changed', actor);
    },

    /**
     * Sets (with null clears) the end date of all the person's administrator appointments at the employer, audited
     * `administrator.end_date_changed` per code. The end is saved even when it would leave a code without an
     * administrator: those codes are given back (as a warning to show), and the expiry job flags them when it ends
     * the appointment.
     */
    setEndDate(
      employerId: string,
      personId: string,
      validUntil: Date | null,
      actor: PersonActor,
    ): Promise<Outcome<{ changed: number; alone: repository.CodeRow[] }>> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const person = await repository.findPerson(trx, personId);
        const codeIds = await repository.administeredCodeIds(trx, employerId, personId, at);
        if (!person || codeIds.length === 0) return { status: 'not-found' };
        if (validUntil && validUntil <= at) {
          return { status: 'invalid', errors: [{ field: 'validUntil', message: 'expiry.errors.dateNotFuture' }] };
        }
        const codes = await repository.lockCodes(trx, employerId, codeIds);
        const changed = await repository.setAssignmentsEnd(trx, employerId, personId, codeIds, validUntil, at);
        for (const row of changed) {
          const code = codes.find((candidate) => candidate.id === row.employer_code_id);
          await recordAudit(
            trx,
            {
              actor,
              action: 'administrator.end_date_changed',
              employerId,
              employerCodeId: row.employer_code_id,
              subjectType: 'person',
              subjectId: personId,
              before: { name: person.display_name, code: code?.code, validUntil: row.before?.toISOString() ?? null },
              after: { name: person.display_name, code: code?.code, validUntil: validUntil?.toISOString() ?? null },
            },
            at,
          );
        }
        const alone: repository.CodeRow[] = [];
        if (validUntil) {
          for (const code of codes) {
            if ((await repository.otherAdministratorCount(trx, code.id, personId, validUntil)) === 0) alone.push(code);
          }
        }
        return { status: 'saved', value: { changed: changed.length, alone: alone.sort(byCode) } };
      });
    },

    /** The end of the person's appointments at the employer (null: until further notice). */
    endDate(employerId: string, personId: string): Promise<Date | null> {
      return repository.assignmentsEnd(db, employerId, personId, new Date(now()));
    },

    /** Ends all the person's administrator assignments at the employer. */
    remove(employerId: string, personId: string, actor: PersonActor) {
      return changeOf(employerId, personId, [], 'administrator.removed', actor);
    },
  };

  function changeOf(
    employerId: string,
    personId: string,
    codeIds: readonly string[],
    action: string,
    actor: PersonActor,
  ): Promise<Outcome<Change>> {
    const at = new Date(now());
    return db.transaction(async (trx) => {
      const person = await repository.findPerson(trx, personId);
      if (!person) return { status: 'not-found' };
      if ((await repository.administeredCodeIds(trx, employerId, personId, at)).length === 0) {
        return { status: 'not-found' };
      }
      return change(trx, employerId, person, { wanted: codeIds, keepOthers: false, action }, actor, at);
    });
  }
}

export type AdministratorsService = ReturnType<typeof administratorsService>;
