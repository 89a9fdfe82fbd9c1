import type { Knex } from 'knex';
import { recordAudit, type Actor } from '../audit/service';
import { enqueueEmail } from '../mail/outbox';
import { formContentHash, type OrdererForm } from './form-content';
import { findOrCreatePerson, type ApplicationRow } from './repository';

export type SignatureRecord =
  | {
      method: 'eid';
      signerPersonId: string;
      signedAt: Date;
      signMessage: string;
      signMessageDigest: string;
      assertionXml: string;
      samlRequestId: string;
    }
  | { method: 'paper'; recordedByPersonId: string; signedAt: Date };

export interface Activation {
  /** Locked by the caller (select … for update), whose status the caller has checked. */
  application: ApplicationRow;
  form: OrdererForm;
  signature: SignatureRecord;
  actor: Extract<Actor, { type: 'person' }>;
  /** Where the emails link to (the portal's overview). */
  portalUrl: string;
}

interface CurrentRole {
  id: string;
  person_id: string;
  role: 'orderer' | 'delegate';
  application_id: string | null;
}

/** Ends the current orderer's and delegates' roles and marks the active application replaced; nothing is deleted. */
async function replacePrevious(trx: Knex.Transaction, activation: Activation, at: Date): Promise<void> {
  const { application, actor } = activation;
  const employerId = application.employer_id;
  const previous = await trx('orderer_applications')
    .where({ employer_id: employerId, status: 'active' })
    .forUpdate()
    .select<{ id: string }[]>('id');
  for (const old of previous) {
    await trx('orderer_applications').where({ id: old.id }).update({ status: 'replaced', updated_at: at });
    await recordAudit(
      trx,
      {
        actor,
        action: 'orderer_application.replaced',
        employerId,
        subjectType: 'orderer_application',
        subjectId: old.id,
        before: { status: 'active' },
        after: { status: 'replaced', replacedBy: application.id },
      },
      at,
    );
  }
  const roles = await trx('role_assignments')
    .where({ employer_id: employerId })
    .whereIn('role', ['orderer', 'delegate'])
    .whereNull('revoked_at')
    .forUpdate()
    .select<CurrentRole[]>('id', 'person_id', 'role', 'application_id');
  for (const role of roles) {
    await trx('role_assignments')
      .where({ id: role.id })
      .update({ revoked_at: at, revoked_by_person_id: actor.personId });
    await recordAudit(
      trx,
      {
        actor,
        action: `${role.role}.revoked`,
        employerId,
        subjectType: 'role_assignment',
        subjectId: role.id,
        before: { personId: role.person_id, role: role.role, applicationId: role.application_id },
        after: { revoked: true, replacedByApplication: application.id },
      },
      at,
    );
  }
}

async function insertSignature(trx: Knex.Transaction, activation: Activation, signerPersonId: string, at: Date) {
  const { signature, application, form } = activation;
  const common = {
    application_id: application.id,
    signed_at: signature.signedAt,
    form_content_hash: formContentHash(form),
    created_at: at,
  };
  const row =
    signature.method === 'eid'
      ? {
          ...common,
          method: 'eid',
          signer_person_id: signature.signerPersonId,
          sign_message: signature.signMessage,
          sign_message_digest: signature.signMessageDigest,
          assertion_xml: signature.assertionXml,
          saml_request_id: signature.samlRequestId,
        }
      : {
          ...common,
          method: 'paper',
          signer_person_id: signerPersonId,
          recorded_by_person_id: signature.recordedByPersonId,
        };
  const [inserted] = await trx('signatures').insert(row).returning<{ id: string }[]>('id');
  if (!inserted) throw new Error('signature not recorded');
  return inserted.id;
}

async function appoint(
  trx: Knex.Transaction,
  activation: Activation,
  role: { personId: string; role: 'orderer' | 'delegate'; appointedBy: string },
  at: Date,
): Promise<void> {
  const employerId = activation.application.employer_id;
  const [row] = await trx('role_assignments')
    .insert({
      person_id: role.personId,
      employer_id: employerId,
      role: role.role,
      application_id: activation.application.id,
      appointed_by_person_id: role.appointedBy,
      appointed_at: at,
    })
    .returning<{ id: string }[]>('id');
  await recordAudit(
    trx,
    {
      actor: activation.actor,
      action: `${role.role}.appointed`,
      employerId,
      subjectType: 'role_assignment',
      subjectId: row?.id,
      after: { personId: role.personId, role: role.role, applicationId: activation.application.id },
    },
    at,
  );
}

/**
 * Makes the application's orderer (and delegate, if named) active, in the caller's transaction: the employer row
 * is locked first so two activations for one employer run one after the other; the previous orderer is replaced.
 */
export async function activate(trx: Knex.Transaction, activation: Activation, at: Date): Promise<void> {
  const { application, form, actor } = activation;
  await trx('employers').where({ id: application.employer_id }).forUpdate().first('id');
  await replacePrevious(trx, activation, at);

  const ordererId = await findOrCreatePerson(
    trx,
    { personalIdentityNumber: application.personal_identity_number, name: application.name, email: application.email },
    at,
  );
  await trx('orderer_applications').where({ id: application.id }).update({ status: 'active', updated_at: at });
  const signatureId = await insertSignature(trx, activation, ordererId, at);
  await recordAudit(
    trx,
    {
      actor,
      action: 'orderer_application.activated',
      employerId: application.employer_id,
      subjectType: 'orderer_application',
      subjectId: application.id,
      before: { status: application.status },
      after: { status: 'active', signatureId, method: activation.signature.method, termsVersion: form.termsVersion },
    },
    at,
  );
  await appoint(trx, activation, { personId: ordererId, role: 'orderer', appointedBy: actor.personId }, at);

  let delegateId: string | null = null;
  if (form.delegate) {
    delegateId = await findOrCreatePerson(trx, form.delegate, at);
    await appoint(trx, activation, { personId: delegateId, role: 'delegate', appointedBy: ordererId }, at);
  }

  await enqueueEmail(
    trx,
    {
      to: application.email,
      recipientPersonId: ordererId,
      template: 'orderer-activated',
      data: {
        name: application.name,
        employerName: form.employer.name,
        delegateName: form.delegate?.name ?? null,
        link: activation.portalUrl,
      },
    },
    at,
  );
  if (form.delegate && delegateId) {
    await enqueueEmail(
      trx,
      {
        to: form.delegate.email,
        recipientPersonId: delegateId,
        template: 'delegate-appointed',
        data: {
          name: form.delegate.name,
          ordererName: application.name,
          employerName: form.employer.name,
          link: activation.portalUrl,
        },
      },
      at,
    );
  }
}
