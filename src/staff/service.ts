import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import * as repository from './repository';
import type { StaffMemberInput } from './schemas';

export type AddStaffResult =
  | { outcome: 'added'; personId: string; name: string; newPerson: boolean }
  | { outcome: 'already-staff'; personId: string; name: string };

export type RemoveStaffResult = { outcome: 'removed'; name: string } | { outcome: 'not-staff' };

/**
 * Who is agency staff. Only the command line calls this: a person never becomes staff through the web. The audit
 * rows name the person by id, never by personal identity number.
 */
export function staffService(db: Knex, now: () => number) {
  return {
    /** Makes the person staff, creating the person when new; staff already: nothing changes. */
    add(input: StaffMemberInput, actor: Actor): Promise<AddStaffResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const existing = await repository.findPerson(trx, input.personalIdentityNumber);
        const person =
          existing ??
          (await repository.insertPerson(
            trx,
            { personalIdentityNumber: input.personalIdentityNumber, name: input.name, email: input.email },
            at,
          ));
        const staff = await repository.findStaff(trx, person.id);
        if (staff?.removed_at === null) {
          return { outcome: 'already-staff', personId: person.id, name: person.display_name };
        }
        if (existing) await repository.setEmailIfMissing(trx, person.id, input.email, at);
        // A re-added person starts a new period; the earlier one stays in the audit log.
        await repository.addStaff(trx, person.id, at);
        await recordAudit(
          trx,
          {
            actor,
            action: 'staff.added',
            subjectType: 'person',
            subjectId: person.id,
            before: staff ? { addedAt: staff.added_at, removedAt: staff.removed_at } : undefined,
            after: { addedAt: at, removedAt: null, newPerson: !existing },
          },
          at,
        );
        return { outcome: 'added', personId: person.id, name: person.display_name, newPerson: !existing };
      });
    },

    /** Ends the person's staff role (removed_at); the row and its history stay. */
    remove(personalIdentityNumber: string, actor: Actor): Promise<RemoveStaffResult> {
      const at = new Date(now());
      return db.transaction(async (trx) => {
        const person = await repository.findPerson(trx, personalIdentityNumber);
        const staff = person ? await repository.findStaff(trx, person.id) : undefined;
        if (!person || staff?.removed_at !== null) return { outcome: 'not-staff' };
        const removedAt = at < staff.added_at ? staff.added_at : at;
        await repository.removeStaff(trx, person.id, removedAt);
        await recordAudit(
          trx,
          {
            actor,
            action: 'staff.removed',
            subjectType: 'person',
            subjectId: person.id,
            before: { addedAt: staff.added_at, removedAt: null },
            after: { addedAt: staff.added_at, removedAt },
          },
          at,
        );
        return { outcome: 'removed', name: person.display_name };
      });
    },
  };
}

export type StaffService = ReturnType<typeof staffService>;
