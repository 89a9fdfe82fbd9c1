import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { SAML } from '@node-saml/passport-saml';
import { recordAudit, type Actor } from '../audit/service';
import { ATTRIBUTES, NS, SHA256_DIGEST } from './saml-constants';
import type { SamlSetup } from './saml-setup';
import type { VerifiedIdentity } from './response-checks';

/** Digest algorithms accepted in signMessageDigest (the framework's default is SHA-256). */
const DIGESTS: Record<string, string> = {
  [SHA256_DIGEST]: 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export interface SignatureRequestInput {
  /** What the signature is for (e.g. 'orderer-form'), so the right feature picks up the result. */
  purpose: string;
  subjectId: string;
  /** The employer the text is about, if any: the request's audit rows go to its history. */
  employerId?: string;
  /** The exact text the person signs (the caller includes a hash of the form's content in it). */
  message: string;
  expectedPersonalIdentityNumber: string;
  requestedByPersonId: string;
  /** Where the person returns after the IdP, with `?signature=<id>`. */
  returnPath: string;
}

export interface SignatureEvidence {
  requestId: string;
  message: string;
  personalIdentityNumber: string;
  signMessageDigest: string;
  assertionXml: string;
  signedAt: Date;
}

export type SignatureResult =
  | { outcome: 'signed'; purpose: string; subjectId: string; evidence: SignatureEvidence }
  | { outcome: 'refused'; purpose: string; subjectId: string; reason: string };

/** The fields of an HTTP-POST binding form, and where it goes. */
export interface PostToIdp {
  action: string;
  fields: Record<string, string>;
}

interface RequestRow {
  id: string;
  purpose: string;
  subject_id: string;
  employer_id: string | null;
  message: string;
  expected_personal_identity_number: string;
  requested_by_person_id: string;
  return_path: string;
  completed_at: Date | null;
  outcome: 'signed' | 'refused' | null;
  refusal_reason: string | null;
  sign_message_digest: string | null;
  assertion_xml: string | null;
  signed_at: Date | null;
}

/**
 * Checks the IdP's signMessageDigest against the text we asked it to show: same person, digest present,
 * algorithm allowed, digest recomputed over the UTF-8 text and compared in constant time. Returns the refusal reason,
 * or null when the signature holds.
 */
export function signatureRefusal(identity: VerifiedIdentity, message: string, expectedPnr: string): string | null {
  if (identity.personalIdentityNumber !== expectedPnr) return 'signed by another person';
  const digest = identity.signMessageDigest;
  if (!digest) return 'no signMessageDigest';
  const separator = digest.indexOf(';');
  const algorithm = separator > 0 ? DIGESTS[digest.slice(0, separator)] : undefined;
  if (!algorithm) return 'digest algorithm not accepted';
  const received = Buffer.from(digest.slice(separator + 1), 'base64');
  const expected = createHash(algorithm).update(message, 'utf8').digest();
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return 'digest of another text';
  return null;
}

function resultOf(row: RequestRow): SignatureResult | null {
  if (row.outcome === 'refused') {
    return { outcome: 'refused', purpose: row.purpose, subjectId: row.subject_id, reason: row.refusal_reason ?? '' };
  }
  if (row.outcome === 'signed' && row.sign_message_digest && row.assertion_xml && row.signed_at) {
    return {
      outcome: 'signed',
      purpose: row.purpose,
      subjectId: row.subject_id,
      evidence: {
        requestId: row.id,
        message: row.message,
        personalIdentityNumber: row.expected_personal_identity_number,
        signMessageDigest: row.sign_message_digest,
        assertionXml: row.assertion_xml,
        signedAt: row.signed_at,
      },
    };
  }
  return null;
}

/** The role a signer acts in, by purpose (the audit row of a completed sign request names it). */
const SIGNER_ROLES: Record<string, Extract<Actor, { type: 'person' }>['role']> = { 'orderer-form': 'orderer' };

/** Signing a text with e-ID (Sign Message extension, TF-09 3.1.2), for the features that need a signed form. */
export function signingService(db: Knex, saml: SamlSetup, now: () => number) {
  return {
    /**
     * Records what is to be signed and builds the signed AuthnRequest: ForceAuthn, the sign message the IdP must
     * show, and the principal selection that pins the signer. Sent with the POST binding (it carries the number).
     * Pass the caller's transaction so that the request is stored with the change (and audit row) that asked for it.
     */
    async start(input: SignatureRequestInput, trx: Knex = db): Promise<PostToIdp> {
      const action = saml.idp.ssoPostUrl;
      if (!action) throw new Error('the identity provider has no HTTP-POST SingleSignOnService for signing');
      const id = `_${randomBytes(20).toString('hex')}`;
      await trx('signature_requests').insert({
        id,
        purpose: input.purpose,
        subject_id: input.subjectId,
        employer_id: input.employerId ?? null,
        message: input.message,
        expected_personal_identity_number: input.expectedPersonalIdentityNumber,
        requested_by_person_id: input.requestedByPersonId,
        return_path: input.returnPath,
        created_at: new Date(now()),
      });
      const client = new SAML({
        ...saml.baseOptions,
        entryPoint: action,
        authnRequestBinding: 'HTTP-POST',
        skipRequestCompression: true,
        forceAuthn: true,
        generateUniqueId: () => id,
        samlAuthnRequestExtensions: {
          'csig:SignMessage': {
            '@xmlns:csig': NS.csig,
            '@MustShow': 'true',
            '@DisplayEntity': saml.idp.entityId,
            '@MimeType': 'text',
            'csig:Message': Buffer.from(input.message, 'utf8').toString('base64'),
          },
          'psc:PrincipalSelection': {
            '@xmlns:psc': NS.psc,
            'psc:MatchValue': {
              '@Name': ATTRIBUTES.personalIdentityNumber,
              '#text': input.expectedPersonalIdentityNumber,
            },
          },
        },
      });
      const message = (await client.getAuthorizeMessageAsync('', undefined, {})) as Record<string, unknown>;
      const fields = Object.fromEntries(
        Object.entries(message).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
        ),
      );
      return { action, fields };
    },

    /**
     * Settles the sign request a verified response answers, if it answers one: records the evidence or the refusal
     * (once; a second answer changes nothing, audited once) and gives where to send the person. Null for a plain
     * login. `httpRequestId` is the request the IdP's answer came in, for the audit row.
     */
    async complete(
      identity: VerifiedIdentity,
      httpRequestId?: string,
    ): Promise<{ requestId: string; returnPath: string; result: SignatureResult } | null> {
      return db.transaction(async (trx) => {
        const row = await trx('signature_requests')
          .where({ id: identity.inResponseTo })
          .forUpdate()
          .first<RequestRow | undefined>();
        if (!row) return null;
        if (!row.completed_at) {
          const refusal = signatureRefusal(identity, row.message, row.expected_personal_identity_number);
          const completion = refusal
            ? { outcome: 'refused', refusal_reason: refusal }
            : {
                outcome: 'signed',
                sign_message_digest: identity.signMessageDigest,
                assertion_xml: identity.assertionXml,
                signed_at: identity.authnInstant,
              };
          const at = new Date(now());
          await trx('signature_requests')
            .where({ id: row.id })
            .update({ ...completion, completed_at: at });
          await recordAudit(
            trx,
            {
              actor: {
                type: 'person',
                personId: row.requested_by_person_id,
                role: SIGNER_ROLES[row.purpose] ?? 'user',
                requestId: httpRequestId,
              },
              action: refusal ? 'signature_request.refused' : 'signature_request.signed',
              employerId: row.employer_id,
              subjectType: 'signature_request',
              subjectId: row.id,
              before: { purpose: row.purpose, subjectId: row.subject_id, outcome: null },
              after: {
                personId: row.requested_by_person_id,
                purpose: row.purpose,
                subjectId: row.subject_id,
                outcome: completion.outcome,
                reason: refusal,
              },
            },
            at,
          );
        }
        const settled = await trx('signature_requests').where({ id: row.id }).first<RequestRow>();
        const result = resultOf(settled);
        if (!result) throw new Error('sign request not settled');
        return { requestId: row.id, returnPath: row.return_path, result };
      });
    },

    /** The result of a sign request, for the person who asked for it only. */
    async result(requestId: string, personId: string): Promise<SignatureResult | null> {
      const row = await db('signature_requests')
        .where({ id: requestId, requested_by_person_id: personId })
        .first<RequestRow | undefined>();
      return row ? resultOf(row) : null;
    },
  };
}

export type SigningService = ReturnType<typeof signingService>;
