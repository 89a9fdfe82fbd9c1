import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface KeyPair {
  /** PEM private key. */
  key: string;
  /** PEM X.509 certificate. */
  cert: string;
}

export async function readKeyPair(keyPath: string, certPath: string): Promise<KeyPair> {
  const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { key, cert };
}

/**
 * A self-signed RSA 2048 key pair kept in `dir` (created on first use), for development and tests only: production
 * takes its keys from configured files.
 */
export async function developmentKeyPair(dir: string, name: string, commonName: string): Promise<KeyPair> {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  if (existsSync(keyPath) && existsSync(certPath)) return readKeyPair(keyPath, certPath);
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate.getTime() + 5 * 365 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
  });
  // Only the keys' own folder is private: its parent (DATA_DIR) also holds the embedded PostgreSQL's data, which the
  // postgres system user must be able to reach.
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert };
}

/** The base64 body of a PEM certificate, as metadata and KeyInfo carry it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
