/** Why the development IdP refused a request; each has a text under devEid.refused.reasons in the locale files. */
export const REFUSAL_REASONS = [
  'malformed',
  'unsigned',
  'weakAlgorithm',
  'badSignature',
  'unknownServiceProvider',
  'wrongDestination',
  'wrongAcs',
  'wrongBinding',
  'missingLoa',
  'unsupportedSignMessage',
  'signMessageNeedsForceAuthn',
  'signMessageNeedsSigservice',
  'badPrincipalSelection',
  'noPendingRequest',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class RefusedRequest extends Error {
  constructor(
    readonly reason: RefusalReason,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'RefusedRequest';
  }
}
