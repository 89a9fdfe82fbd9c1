import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VerifiedIdentity } from '../../src/auth/response-checks';
import { signatureRefusal } from '../../src/auth/signing';

const PNR = '191212121212';
const MESSAGE = 'Jag bekräftar att jag är behörig beställare för Myndigheten för kulturarvsdata (åäö).';

function identity(digest: string | undefined, pnr = PNR): VerifiedIdentity {
  return {
    assertionId: '_a',
    inResponseTo: '_r',
    personalIdentityNumber: pnr,
    givenName: 'Testa',
    familyName: 'Testsson',
    displayName: 'Testa Testsson',
    authnInstant: new Date(),
    signMessageDigest: digest,
    assertionXml: '<saml:Assertion/>',
  };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

describe('signMessageDigest', () => {
  it("matches the framework's worked example", () => {
    expect(sha256('I hereby confirm that I want to join example.com as a customer')).toBe(
      '0yKaSVsYeh+PX2Q6diqO2w89+a3Dm303tp3AVjgxwj0=',
    );
  });

  it('accepts the digest of the exact UTF-8 text by the expected person', () => {
    expect(signatureRefusal(identity(`${SHA256};${sha256(MESSAGE)}`), MESSAGE, PNR)).toBeNull();
  });

  it('accepts SHA-512 too', () => {
    const digest = createHash('sha512').update(MESSAGE, 'utf8').digest('base64');
    expect(signatureRefusal(identity(`http://www.w3.org/2001/04/xmlenc#sha512;${digest}`), MESSAGE, PNR)).toBeNull();
  });

  it.each([
    ['missing', undefined, 'no signMessageDigest'],
    ['of another text', `${SHA256};${sha256(`${MESSAGE} `)}`, 'digest of another text'],
    [
      'with another algorithm',
      `http://www.w3.org/2000/09/xmldsig#sha1;${createHash('sha1').update(MESSAGE).digest('base64')}`,
      'digest algorithm not accepted',
    ],
    ['without an algorithm', sha256(MESSAGE), 'digest algorithm not accepted'],
    ['truncated', `${SHA256};${sha256(MESSAGE).slice(0, 20)}`, 'digest of another text'],
  ])('refuses a digest %s', (_case, digest, reason) => {
    expect(signatureRefusal(identity(digest), MESSAGE, PNR)).toBe(reason);
  });

  it('refuses a signature by another person', () => {
    expect(signatureRefusal(identity(`${SHA256};${sha256(MESSAGE)}`, '191212102824'), MESSAGE, PNR)).toBe(
      'signed by another person',
    );
  });
});
