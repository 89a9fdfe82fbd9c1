import type { Router } from 'express';
import type { KeyPair } from '../keys';

/** A person the development e-ID can authenticate: a test person from the list or any typed number. */
export interface TestPerson {
  personalIdentityNumber: string;
  givenName: string;
  familyName: string;
  displayName: string;
}

/** The csig:SignMessage of a sign request, decoded. */
export interface SignMessage {
  /** The clear text, decoded from base64 as UTF-8. */
  text: string;
  mimeType: 'text' | 'text/markdown';
  mustShow: boolean;
}

/** An AuthnRequest that was verified and waits for the person's answer (kept in the session). */
export interface PendingRequest {
  id: string;
  spEntityId: string;
  acsUrl: string;
  relayState?: string;
  forceAuthn: boolean;
  signMessage?: SignMessage;
  /** The personal identity number that psc:PrincipalSelection requires. */
  principal?: string;
  receivedAt: number;
}

/** What a Response answers: the request's ID and where it goes. */
export interface ResponseRequest {
  id: string;
  acsUrl: string;
  /** The clear text of the sign message, for a sign request. */
  signMessage?: string;
}

/** Values to put in a Response instead of the correct ones, so that tests can build responses an SP must refuse. */
export interface ResponseOverrides {
  issuer?: string;
  destination?: string;
  recipient?: string;
  audience?: string;
  authnContextClassRef?: string;
  /** Milliseconds since epoch. */
  authnInstant?: number;
}

export type IssueResponseInput =
  | { request: ResponseRequest; person: TestPerson; cancel?: false; overrides?: ResponseOverrides }
  | { request: ResponseRequest; cancel: true; overrides?: Pick<ResponseOverrides, 'issuer' | 'destination'> };

export interface DevIdentityProviderOptions {
  baseUrl: string;
  keyDir: string;
  /** The SP's metadata: its signing cert verifies requests; an encryption cert means assertions are encrypted. */
  spMetadataXml: () => string;
  /** The test persons offered on the page. */
  listPersons: () => Promise<TestPerson[]>;
  /** Milliseconds since epoch. */
  now: () => number;
}

export interface DevIdentityProvider {
  entityId: string;
  metadataXml: string;
  signingKeyPair: KeyPair;
  router: Router;
  /** Builds a signed Response (base64, as the SAMLResponse form field carries it) without the web pages. */
  issueResponse: (input: IssueResponseInput) => Promise<string>;
}

/** What the IdP's parts share (internal). */
export interface IdpContext {
  entityId: string;
  ssoUrl: string;
  metadataXml: string;
  signingKeyPair: KeyPair;
  /** Keys the pseudonymous NameID: stable as long as the signing key is. */
  nameIdSecret: Buffer;
  spMetadataXml: () => string;
  now: () => number;
}
