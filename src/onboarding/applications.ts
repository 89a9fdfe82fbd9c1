import type { Knex } from 'knex';
import { recordAudit } from '../audit/service';
import { enqueueEmail } from '../mail/outbox';
import { parseForm } from '../web/forms';
import { paths, pathTo } from '../paths';
import { activate } from './activation';
import { fieldError, isUniqueViolation, type ActingPerson, type FormOutcome, type OnboardingContext } from './context';
import { ordererFormSchema } from './form-content';
import { applicationReference, newInvitationToken } from './invitation-token';
import * as repository from './repository';
import { applicationSchema, paperSchema } from './schemas';
import type { ApplicationRow, ApplicationStatus } from './repository';

const DAY_MS = 86_400_000;
const OPEN_INDEX = 'orderer_applications_one_open_per_employer_idx';

/** What staff see: 'invited' whose link has passed its expiry shows as expired. */
export function displayStatus(application: ApplicationRow, now: number): ApplicationStatus {
  if (
    application.status === 'invited' &&
    application.invitation_expires_at &&
    application.invitation_expires_at.getTime() <= now
  ) {
    return 'expired';
  }
  return application.status;
}

export type StaffActionOutcome = { ok: true } | { ok: false; reason: 'notFound' | 'notAllowed' | 'otherOpen' };

const staffActor = (actor: ActingPerson) => ({ type: 'person' as const, role: 'staff' as const, ...actor });

/** The agency's side of orderer applications: register, list, resend, cancel, record the paper form. */
export type ApplicationsService = ReturnType<typeof applicationsService>;

export function applicationsService(ctx: OnboardingContext) {
  const { db } = ctx;
  const at = () => new Date(ctx.now());

  /** Sets a new token and expiry and puts the invitation email in the outbox (in the caller's transaction). */
  async function invite(trx: Knex.Transaction, application: ApplicationRow, when: Date): Promise<Date> {
    const { token, hash } = newInvitationToken();
    const expiresAt = new Date(when.getTime() + ctx.invitationValidityDays * DAY_MS);
    await trx('orderer_applications')
      .where({ id: application.id })
      .update({ status: 'invited', invitation_token_hash: hash, invitation_expires_at: expiresAt, updated_at: when });
    const employer = await repository.employerById(trx, application.employer_id);
    const codes = await repository.codesWithoutAdministrator(trx, application.employer_id);
    await enqueueEmail(
      trx,
      {
        to: application.email,
        recipientPersonId: (await repository.personIdByPnr(trx, application.personal_identity_number)) ?? null,
        template: 'orderer-invitation',
        data: {
          name: application.name,
          employerName: employer?.name ?? '',
          codes: codes.map((code) => ({ code: code.code, name: code.name, active: code.active })),
          link: `${ctx.config.baseUrl}${pathTo(paths.onboarding.invitation, { token })}`,
          expiresAt: expiresAt.toISOString(),
          reference: applicationReference(application.id),
        },
      },
      when,
    );
    return expiresAt;
  }

  /** Open applications of the employer whose invitation has run out are marked expired, so a new one can be made. */
  async function expireLapsed(trx: Knex.Transaction, employerId: string, actor: ActingPerson, when: Date) {
    const lapsed = await trx('orderer_applications')
      .where({ employer_id: employerId, status: 'invited' })
      .where('invitation_expires_at', '<=', when)
      .forUpdate()
      .select<{ id: string }[]>('id');
    for (const { id } of lapsed) {
      await trx('orderer_applications').where({ id }).update({ status: 'expired', updated_at: when });
      await recordAudit(
        trx,
        {
          actor: staffActor(actor),
          action: 'orderer_application.expired',
          employerId,
          subjectType: 'orderer_application',
          subjectId: id,
          before: { status: 'invited' },
          after: { status: 'expired' },
        },
        when,
      );
    }
  }

  return {
    employers: () => repository.employers(db),
    list: () => repository.listApplications(db),
    find: (id: string) => repository.applicationById(db, id),
    employer: (id: string) => repository.employerById(db, id),
    displayStatus: (application: ApplicationRow) => displayStatus(application, ctx.now()),
    reference: applicationReference,

    /** Registers an application received by email and sends the invitation, in one transaction. */
    async register(body: unknown, actor: ActingPerson): Promise<FormOutcome<{ applicationId: string }>> {
      const parsed = parseForm(applicationSchema, body);
      if (!parsed.ok) return parsed;
      const input = parsed.data;
      const when = at();
      try {
        return await db.transaction(async (trx): Promise<FormOutcome<{ applicationId: string }>> => {
          const employer = await trx('employers')
            .where({ id: input.employerId })
            .forUpdate()
            .first<{ id: string } | undefined>('id');
          if (!employer) return fieldError(body, 'employerId', 'onboarding.errors.employerRequired');
          await expireLapsed(trx, employer.id, actor, when);
          const [application] = await trx('orderer_applications')
            .insert({
              employer_id: employer.id,
              name: input.name,
              title: input.title,
              personal_identity_number: input.personalIdentityNumber,
              email: input.email,
              status: 'invited',
              // replaced by invite() at once; the table wants a token while invited
              invitation_token_hash: newInvitationToken().hash,
              invitation_expires_at: when,
              registered_by_person_id: actor.personId,
              created_at: when,
              updated_at: when,
            })
            .returning<ApplicationRow[]>('*');
          if (!application) throw new Error('application not inserted');
          const expiresAt = await invite(trx, application, when);
          await recordAudit(
            trx,
            {
              actor: staffActor(actor),
              action: 'orderer_application.registered',
              employerId: employer.id,
              subjectType: 'orderer_application',
              subjectId: application.id,
              after: { name: input.name, title: input.title, email: input.email, expiresAt: expiresAt.toISOString() },
            },
            when,
          );
          return { ok: true, value: { applicationId: application.id } };
        });
      } catch (error) {
        if (isUniqueViolation(error, OPEN_INDEX))
          return fieldError(body, 'employerId', 'onboarding.errors.openApplicationExists');
        throw error;
      }
    },

    /** A new link by email; the old one stops working. For an invitation still open or run out. */
    async resend(applicationId: string, actor: ActingPerson): Promise<StaffActionOutcome> {
      const when = at();
      try {
        return await db.transaction(async (trx): Promise<StaffActionOutcome> => {
          const application = await repository.lockApplication(trx, applicationId);
          if (!application) return { ok: false, reason: 'notFound' };
          if (application.status !== 'invited' && application.status !== 'expired')
            return { ok: false, reason: 'notAllowed' };
          const expiresAt = await invite(trx, application, when);
          await recordAudit(
            trx,
            {
              actor: staffActor(actor),
              action: 'orderer_application.invitation_resent',
              employerId: application.employer_id,
              subjectType: 'orderer_application',
              subjectId: application.id,
              before: { status: application.status },
              after: { status: 'invited', expiresAt: expiresAt.toISOString() },
            },
            when,
          );
          return { ok: true };
        });
      } catch (error) {
        if (isUniqueViolation(error, OPEN_INDEX)) return { ok: false, reason: 'otherOpen' };
        throw error;
      }
    },

    /** Cancels an application not yet active; its link then says so. */
    async cancel(applicationId: string, actor: ActingPerson): Promise<StaffActionOutcome> {
      const when = at();
      return db.transaction(async (trx): Promise<StaffActionOutcome> => {
        const application = await repository.lockApplication(trx, applicationId);
        if (!application) return { ok: false, reason: 'notFound' };
        if (!['invited', 'expired', 'awaiting_paper'].includes(application.status))
          return { ok: false, reason: 'notAllowed' };
        await trx('orderer_applications')
          .where({ id: application.id })
          .update({ status: 'cancelled', updated_at: when });
        await recordAudit(
          trx,
          {
            actor: staffActor(actor),
            action: 'orderer_application.cancelled',
            employerId: application.employer_id,
            subjectType: 'orderer_application',
            subjectId: application.id,
            before: { status: application.status },
            after: { status: 'cancelled' },
          },
          when,
        );
        return { ok: true };
      });
    },

    /** Staff received the hand-signed form and checked it: the orderer becomes active. */
    async recordPaper(
      applicationId: string,
      body: unknown,
      actor: ActingPerson,
    ): Promise<FormOutcome<null> | { ok: false; reason: 'notFound' | 'notAllowed' }> {
      const parsed = parseForm(paperSchema, body);
      if (!parsed.ok) return parsed;
      const when = at();
      return db.transaction(async (trx) => {
        const application = await repository.lockApplication(trx, applicationId);
        if (!application) return { ok: false as const, reason: 'notFound' as const };
        if (application.status !== 'awaiting_paper') return { ok: false as const, reason: 'notAllowed' as const };
        const form = ordererFormSchema.parse(application.submitted_form);
        await activate(
          trx,
          {
            application,
            form,
            signature: { method: 'paper', recordedByPersonId: actor.personId, signedAt: when },
            actor: staffActor(actor),
            portalUrl: `${ctx.config.baseUrl}${paths.overview}`,
          },
          when,
        );
        return { ok: true as const, value: null };
      });
    },
  };
}
