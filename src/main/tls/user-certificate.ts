/**
 * A certificate the user provides (`gateway.tls.certPath` / `keyPath`): used exactly as
 * the files say, never renewed or rewritten. A bad pair is a configuration error (exit 78)
 * that names the file to fix.
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../config/load.js';
import {
  expiresAtMsOf,
  pairProblem,
  parsePrivateKey,
  type GatewayCertificate,
} from './certificate-info.js';

export interface UserCertificatePaths {
  /** PEM: the server certificate first, then any intermediates. */
  certPath: string;
  /** PEM private key (PKCS#8, SEC1 or PKCS#1), not encrypted. */
  keyPath: string;
}

async function readPem(path: string, configPath: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `${configPath}: cannot read the ${what} ${path} (${code}); fix the path or the file's permissions`,
      {
        file: path,
        configPath,
        cause: error,
      },
    );
  }
}

/**
 * Reads and checks the user's certificate and key. Throws a {@link ConfigError}
 * (`exitCode` 78) naming the file when one cannot be read, is not PEM, or the key does not
 * belong to the certificate. An expired certificate is still used: pinned clients do not
 * check dates, and it is the user's to replace (`expiresAtMs` shows it).
 */
export async function loadUserCertificate(
  paths: UserCertificatePaths,
): Promise<GatewayCertificate> {
  const cert = await readPem(paths.certPath, 'gateway.tls.certPath', 'certificate');
  const key = await readPem(paths.keyPath, 'gateway.tls.keyPath', 'private key');

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new ConfigError(
      `gateway.tls.certPath: ${paths.certPath} is not a PEM certificate (${(error as Error).message})`,
      { file: paths.certPath, configPath: 'gateway.tls.certPath', cause: error },
    );
  }
  let problem: string | undefined;
  try {
    problem = pairProblem(certificate, parsePrivateKey(key));
  } catch (error) {
    throw new ConfigError(
      `gateway.tls.keyPath: ${paths.keyPath} is not an unencrypted PEM private key (${(error as Error).message})`,
      { file: paths.keyPath, configPath: 'gateway.tls.keyPath', cause: error },
    );
  }
  if (problem !== undefined) {
    throw new ConfigError(
      `gateway.tls.keyPath: ${problem}: ${paths.keyPath} does not match ${paths.certPath}; point keyPath at the key the certificate was made for`,
      { file: paths.keyPath, configPath: 'gateway.tls.keyPath' },
    );
  }
  return {
    cert,
    key,
    fingerprintSha256: certificate.fingerprint256,
    expiresAtMs: expiresAtMsOf(certificate),
    source: 'user',
  };
}
