import type { Request } from 'express';
import type { Knex } from 'knex';
import { MultiSamlStrategy, type PassportSamlConfig, type Profile } from '@node-saml/passport-saml';
import { checkVerifiedResponse, ResponseRejected, type VerifiedIdentity } from './response-checks';
import { CLOCK_SKEW_MS, type SamlSetup } from './saml-setup';

/** Options that one request adds to the base (a sign request's extensions, ForceAuthn and own id). */
const requestOptions = new WeakMap<Request, Partial<PassportSamlConfig>>();

export function setRequestOptions(req: Request, options: Partial<PassportSamlConfig>): void {
  requestOptions.set(req, options);
}

/** What the strategy hands to the route once every check has passed. */
export interface VerifiedLogin extends Record<string, unknown> {
  identity: VerifiedIdentity;
}

/** Records the assertion id; the primary key refuses a replay, even two posts of it at the same moment. */
async function recordAssertionOnce(db: Knex, assertionId: string, now: number): Promise<void> {
  const inserted = await db('saml_assertion_ids')
    .insert({ assertion_id: assertionId, received_at: new Date(now) })
    .onConflict('assertion_id')
    .ignore()
    .returning('assertion_id');
  if (inserted.length === 0) throw new ResponseRejected('replayed assertion');
}

async function verify(setup: SamlSetup, db: Knex, now: () => number, profile: Profile | null): Promise<VerifiedLogin> {
  if (!profile) throw new ResponseRejected('no assertion');
  const inResponseTo = profile.inResponseTo;
  if (typeof inResponseTo !== 'string') throw new ResponseRejected('unsolicited response');
  const requestInstant = await setup.cache.requestInstant(inResponseTo);
  if (requestInstant === null) throw new ResponseRejected('unknown request');
  if (!profile.getSamlResponseXml || !profile.getAssertionXml) throw new ResponseRejected('no verified XML');
  const identity = checkVerifiedResponse(profile.getSamlResponseXml(), profile.getAssertionXml(), {
    idpEntityId: setup.idp.entityId,
    acsUrl: setup.sp.acsUrl,
    requestInstant,
    now: now(),
    clockSkewMs: CLOCK_SKEW_MS,
  });
  await recordAssertionOnce(db, identity.assertionId, now());
  return { identity };
}

/**
 * passport-saml's strategy with per-request options: node-saml verifies signatures, audience, time and InResponseTo;
 * `verify` then makes the checks node-saml does not, and refuses a replayed assertion.
 */
export function createSamlStrategy(setup: SamlSetup, db: Knex, now: () => number): MultiSamlStrategy {
  return new MultiSamlStrategy(
    {
      passReqToCallback: true,
      getSamlOptions(req, done) {
        done(null, { ...setup.baseOptions, ...requestOptions.get(req) });
      },
    },
    (_req: Request, profile: Profile | null, done) => {
      verify(setup, db, now, profile).then(
        (login) => {
          done(null, login);
        },
        (error: unknown) => {
          done(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
    (_req: Request, _profile: Profile | null, done) => {
      done(new ResponseRejected('single logout is not supported'));
    },
  );
}
