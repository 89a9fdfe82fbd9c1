import type { PostToIdp } from '../auth/signing';
import { paths } from '../paths';
import { recordAudit } from '../audit/service';
import { parseForm } from '../web/forms';
import { activate } from './activation';
import { fieldError, type ActingPerson, type FormOutcome, type OnboardingContext } from './context';
import { formContentHash, ordererFormSchema, signMessage, type OrdererForm } from './form-content';
import { applicationReference, hashInvitationToken, looksLikeToken } from './invitation-token';
import * as repository from './repository';
import type { ApplicationRow, ApplicationStatus, TermsRow } from './repository';
import { detailsSchema, termsSchema, type DetailsInput } from './schemas';

export const SIGN_PURPOSE = 'orderer-form';
/** signature_requests.message holds at most 4000 characters. */
const MAX_SIGN_MESSAGE = 4000;

/** Why a link or a form page is refused: each has its own page and status. */
export type Refusal = 'unknown' | 'expired' | 'used' | 'cancelled' | 'wrongPerson';

export type Access = { ok: true; application: ApplicationRow } | { ok: false; refusal: Refusal };

/** Where the person is in the four steps. */
export type Stage = 'details' | 'terms' | 'review' | 'paper';

export interface ReviewContent {
  application: ApplicationRow;
  form: OrdererForm;
  hash: string;
  reference: string;
  terms: TermsRow;
}

export type SignatureOutcome =
  | { kind: 'activated'; applicationId: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'unknown' }
  | { kind: 'used' };

function refusalFor(application: ApplicationRow): Refusal {
  if (application.status === 'cancelled') return 'cancelled';
  if (application.status === 'expired') return 'expired';
  if (application.status === 'invited') return 'expired';
  return 'used';
}

const ordererActor = (actor: ActingPerson) => ({ type: 'person' as const, role: 'orderer' as const, ...actor });

/** The orderer's confirmation form: reached with the invitation token, filled in and signed by the named person only. */
export function ordererFormService(ctx: OnboardingContext) {
  const { db } = ctx;
  const at = () => new Date(ctx.now());

  function open(application: ApplicationRow, statuses: readonly ApplicationStatus[]): boolean {
    if (!statuses.includes(application.status)) return false;
    if (application.status !== 'invited') return true;
    return (application.invitation_expires_at?.getTime() ?? 0) > ctx.now();
  }

  /** The link on its own: does it lead to an application that can still be filled in (or its paper form)? */
  async function invitation(token: string): Promise<Access> {
    const application = looksLikeToken(token)
      ? await repository.applicationByTokenHash(db, hashInvitationToken(token))
      : undefined;
    if (!application) return { ok: false, refusal: 'unknown' };
    if (!open(application, ['invited', 'awaiting_paper'])) return { ok: false, refusal: refusalFor(application) };
    return { ok: true, application };
  }

  /** The link and the logged-in person: only the person named in the application gets through. */
  async function access(token: string, personId: string, statuses: readonly ApplicationStatus[]): Promise<Access> {
    const application = looksLikeToken(token)
      ? await repository.applicationByTokenHash(db, hashInvitationToken(token))
      : undefined;
    if (!application) return { ok: false, refusal: 'unknown' };
    const pnr = await repository.personIdentityNumber(db, personId);
    if (pnr !== application.personal_identity_number) return { ok: false, refusal: 'wrongPerson' };
    if (!open(application, statuses)) return { ok: false, refusal: refusalFor(application) };
    return { ok: true, application };
  }

  const draftOf = (application: ApplicationRow): OrdererForm | null => {
    const parsed = ordererFormSchema.safeParse(application.submitted_form);
    return parsed.success ? parsed.data : null;
  };

  /** The form from the answers and the employer's data as they are now. */
  async function buildForm(application: ApplicationRow, answers: DetailsInput, termsVersion: string | null) {
    const employer = await repository.employerById(db, application.employer_id);
    if (!employer) throw new Error('application without employer');
    const codes = await repository.employerCodes(db, application.employer_id);
    const form: OrdererForm = {
      employer: { organisationNumber: employer.organisation_number, name: employer.name },
      employerCodes: codes.map((code) => ({ code: code.code, name: code.name, active: code.active })),
      orderer: {
        name: application.name,
        title: application.title,
        personalIdentityNumber: application.personal_identity_number,
        email: application.email,
      },
      handledByOrderer: answers.handledByOrderer,
      delegate: answers.delegate,
      termsVersion,
    };
    return form;
  }

  async function acceptedCurrentTerms(application: ApplicationRow): Promise<TermsRow | null> {
    const terms = await repository.currentTerms(db, at());
    return terms?.id !== undefined && application.accepted_terms_version_id === terms.id ? terms : null;
  }

  async function stageOf(application: ApplicationRow): Promise<Stage> {
    if (application.status === 'awaiting_paper') return 'paper';
    if (!draftOf(application)) return 'details';
    return (await acceptedCurrentTerms(application)) ? 'review' : 'terms';
  }

  /** The content of step 3, fresh from the database; null while step 1 or 2 is not done. */
  async function review(application: ApplicationRow): Promise<ReviewContent | null> {
    const draft = draftOf(application);
    const terms = await acceptedCurrentTerms(application);
    if (!draft || !terms) return null;
    const form = await buildForm(application, draft, terms.version);
    return { application, form, hash: formContentHash(form), reference: applicationReference(application.id), terms };
  }

  return {
    now: ctx.now,
    invitation,
    access,
    stageOf,
    review,
    draftOf,
    currentTerms: () => repository.currentTerms(db, at()),
    employer: (id: string) => repository.employerById(db, id),
    employerCodes: (id: string) => repository.employerCodes(db, id),

    /** Step 1: the delegation question (and the delegate). Kept on the application, so the person can come back. */
    async saveDetails(application: ApplicationRow, body: unknown, actor: ActingPerson): Promise<FormOutcome<null>> {
      const parsed = parseForm(detailsSchema, body);
      if (!parsed.ok) return parsed;
      const answers = parsed.data;
      if (answers.delegate?.personalIdentityNumber === application.personal_identity_number) {
        return fieldError(body, 'delegatePersonalIdentityNumber', 'onboarding.errors.delegateIsOrderer');
      }
      const form = await buildForm(application, answers, draftOf(application)?.termsVersion ?? null);
      const when = at();
      await db.transaction(async (trx) => {
        await trx('orderer_applications')
          .where({ id: application.id, status: 'invited' })
          .update({ submitted_form: form, updated_at: when });
        await recordAudit(
          trx,
          {
            actor: ordererActor(actor),
            action: 'orderer_application.details_saved',
            employerId: application.employer_id,
            subjectType: 'orderer_application',
            subjectId: application.id,
            after: { handledByOrderer: answers.handledByOrderer, delegateName: answers.delegate?.name ?? null },
          },
          when,
        );
      });
      return { ok: true, value: null };
    },

    /** Step 2: the terms in force must be accepted; the version is recorded. */
    async acceptTerms(application: ApplicationRow, body: unknown, actor: ActingPerson): Promise<FormOutcome<null>> {
      const parsed = parseForm(termsSchema, body);
      if (!parsed.ok) return parsed;
      const terms = await repository.currentTerms(db, at());
      if (terms?.version !== parsed.data.termsVersion) {
        return fieldError(body, 'accept', 'onboarding.errors.termsChanged');
      }
      const draft = draftOf(application);
      if (!draft) return fieldError(body, 'accept', 'onboarding.errors.detailsFirst');
      const when = at();
      await db.transaction(async (trx) => {
        await trx('orderer_applications')
          .where({ id: application.id, status: 'invited' })
          .update({
            accepted_terms_version_id: terms.id,
            terms_accepted_at: when,
            submitted_form: { ...draft, termsVersion: terms.version },
            updated_at: when,
          });
        await recordAudit(
          trx,
          {
            actor: ordererActor(actor),
            action: 'orderer_application.terms_accepted',
            employerId: application.employer_id,
            subjectType: 'orderer_application',
            subjectId: application.id,
            after: { termsVersion: terms.version },
          },
          when,
        );
      });
      return { ok: true, value: null };
    },

    /**
     * Step 3 with e-ID: stores the form as sent and starts a sign request whose message is the form in Swedish with
     * its hash, pinned to the orderer. Null when step 1 or 2 is not done.
     */
    async startEidSigning(
      application: ApplicationRow,
      actor: ActingPerson,
      returnPath: string,
    ): Promise<PostToIdp | null> {
      const content = await review(application);
      if (!content) return null;
      const message = signMessage(content.form);
      if (message.length > MAX_SIGN_MESSAGE) throw new Error('sign message too long');
      const when = at();
      // the form as sent, its audit row and the sign request are stored together, or not at all
      return db.transaction(async (trx) => {
        await trx('orderer_applications')
          .where({ id: application.id, status: 'invited' })
          .update({ submitted_form: content.form, submitted_at: when, updated_at: when });
        await recordAudit(
          trx,
          {
            actor: ordererActor(actor),
            action: 'orderer_application.signing_started',
            employerId: application.employer_id,
            subjectType: 'orderer_application',
            subjectId: application.id,
            after: { formContentHash: content.hash },
          },
          when,
        );
        return ctx.signing.start(
          {
            purpose: SIGN_PURPOSE,
            subjectId: application.id,
            employerId: application.employer_id,
            message,
            expectedPersonalIdentityNumber: application.personal_identity_number,
            requestedByPersonId: actor.personId,
            returnPath,
          },
          trx,
        );
      });
    },

    /** Step 3 on paper: the form is sent as it stands and waits for the hand-signed copy. */
    async choosePaper(application: ApplicationRow, actor: ActingPerson): Promise<boolean> {
      const content = await review(application);
      if (!content) return false;
      const when = at();
      await db.transaction(async (trx) => {
        await trx('orderer_applications')
          .where({ id: application.id, status: 'invited' })
          .update({ status: 'awaiting_paper', submitted_form: content.form, submitted_at: when, updated_at: when });
        await recordAudit(
          trx,
          {
            actor: ordererActor(actor),
            action: 'orderer_application.paper_chosen',
            employerId: application.employer_id,
            subjectType: 'orderer_application',
            subjectId: application.id,
            before: { status: 'invited' },
            after: { status: 'awaiting_paper', formContentHash: content.hash },
          },
          when,
        );
      });
      return true;
    },

    /** The form as sent (for the PDF and the confirmation page). */
    submitted(application: ApplicationRow): { form: OrdererForm; hash: string; reference: string } | null {
      if (!application.submitted_at) return null;
      const form = draftOf(application);
      return form ? { form, hash: formContentHash(form), reference: applicationReference(application.id) } : null;
    },

    /**
     * The IdP's answer to a sign request: signed → the orderer becomes active (once: a second return of the same
     * signature changes nothing); refused → nothing changes.
     */
    async completeEidSigning(requestId: string, actor: ActingPerson): Promise<SignatureOutcome> {
      const result = await ctx.signing.result(requestId, actor.personId);
      if (result?.purpose !== SIGN_PURPOSE) return { kind: 'unknown' };
      if (result.outcome === 'refused') return { kind: 'refused', reason: result.reason };
      const { evidence } = result;
      const when = at();
      return db.transaction(async (trx): Promise<SignatureOutcome> => {
        const application = await repository.lockApplication(trx, result.subjectId);
        if (!application) return { kind: 'unknown' };
        const already = await trx('signatures')
          .where({ saml_request_id: evidence.requestId })
          .first<{ id: string } | undefined>('id');
        if (already) return { kind: 'activated', applicationId: application.id };
        if (application.status !== 'invited' || !application.submitted_at) return { kind: 'used' };
        if (evidence.personalIdentityNumber !== application.personal_identity_number) {
          return { kind: 'refused', reason: 'signed by another person' };
        }
        const form = ordererFormSchema.parse(application.submitted_form);
        // The signature covers the form as stored: had it been sent again since, this signature is not for it.
        if (signMessage(form) !== evidence.message)
          return { kind: 'refused', reason: 'form changed since signing began' };
        await activate(
          trx,
          {
            application,
            form,
            signature: {
              method: 'eid',
              signerPersonId: actor.personId,
              signedAt: evidence.signedAt,
              signMessage: evidence.message,
              signMessageDigest: evidence.signMessageDigest,
              assertionXml: evidence.assertionXml,
              samlRequestId: evidence.requestId,
            },
            actor: ordererActor(actor),
            portalUrl: `${ctx.config.baseUrl}${paths.overview}`,
          },
          when,
        );
        return { kind: 'activated', applicationId: application.id };
      });
    },
  };
}

export type OrdererFormService = ReturnType<typeof ordererFormService>;
