import path from 'node:path';
import { developmentKeyPair, type KeyPair } from '../../src/auth/keys';

/** The key pairs the app makes for itself in development, made once per test run so test files share them. */
export const DEVELOPMENT_KEYS = [
  'sp-signing',
  'sp-encryption',
  'dev-idp-signing',
  'dev-idp-encryption',
  'attacker',
] as const;

export async function makeDevelopmentKeys(dataDir: string): Promise<void> {
  for (const name of DEVELOPMENT_KEYS) await developmentKeyPair(path.join(dataDir, 'keys'), name, name);
}

export function developmentKeys(dataDir: string, name: (typeof DEVELOPMENT_KEYS)[number]): Promise<KeyPair> {
  return developmentKeyPair(path.join(dataDir, 'keys'), name, name);
}

/** A key pair no one trusts, for responses signed by an attacker. */
export function attackerKeys(dataDir: string): Promise<KeyPair> {
  return developmentKeys(dataDir, 'attacker');
}
