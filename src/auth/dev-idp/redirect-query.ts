import { RefusedRequest } from './refusal';

type SamlParameter = 'SAMLRequest' | 'RelayState' | 'SigAlg' | 'Signature';
/** The signed parameters, in the order the signature covers them. */
const SIGNED_PARAMETERS: readonly SamlParameter[] = ['SAMLRequest', 'RelayState', 'SigAlg'];
const SAML_PARAMETERS: readonly string[] = [...SIGNED_PARAMETERS, 'Signature'];

const isSamlParameter = (name: string): name is SamlParameter => SAML_PARAMETERS.includes(name);

export interface RedirectQuery {
  /** Decoded values of the SAML parameters present. */
  values: Partial<Record<SamlParameter, string>>;
  /** What the SP signed: SAMLRequest, RelayState and SigAlg exactly as received, still URL-encoded. */
  octetString: string;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    throw new RefusedRequest('malformed', 'bad URL encoding');
  }
}

/**
 * Reads the HTTP-Redirect binding's parameters from the raw query string. The signature covers the parameters as
 * the SP encoded them (saml-bindings §3.4.4.1), so the octet string is cut from the raw text, never rebuilt from
 * decoded values: encoders differ in what they escape.
 */
export function readRedirectQuery(rawQuery: string): RedirectQuery {
  const raw = new Map<SamlParameter, string>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const separator = part.indexOf('=');
    const name = decode(separator === -1 ? part : part.slice(0, separator));
    if (!isSamlParameter(name)) continue;
    if (raw.has(name)) throw new RefusedRequest('malformed', `${name} given twice`);
    raw.set(name, separator === -1 ? '' : part.slice(separator + 1));
  }
  const values: RedirectQuery['values'] = {};
  for (const [name, value] of raw) values[name] = decode(value);
  const octetString = SIGNED_PARAMETERS.filter((name) => raw.has(name))
    .map((name) => `${name}=${raw.get(name) ?? ''}`)
    .join('&');
  return { values, octetString };
}
