import type { Knex } from 'knex';
import type { Config } from '../config';
import type { SigningService } from '../auth/signing';
import { applicationsService } from './applications';
import { ordererFormService } from './orderer-form';

export interface OnboardingOptions {
  /** How long an invitation link works (default 30 days). */
  invitationValidityDays?: number;
}

/** Orderer applications: invitation, the confirmation form, signing (e-ID or paper), activation, replacement. */
export function onboardingService(
  db: Knex,
  now: () => number,
  signing: SigningService,
  config: Config,
  options: OnboardingOptions = {},
) {
  const ctx = { db, now, signing, config, invitationValidityDays: options.invitationValidityDays ?? 30 };
  return {
    applications: applicationsService(ctx),
    form: ordererFormService(ctx),
  };
}

export type OnboardingService = ReturnType<typeof onboardingService>;
