import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { subjectNamesFor } from './subject-names.js';
import { tempHome } from './test-fixtures/support.js';
import { loadUserCertificate } from './user-certificate.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let certPath: string;
let keyPath: string;

const NOW = Date.parse('2026-01-15T12:00:00Z');

async function writePair(): Promise<{ cert: string; key: string }> {
  const pair = await createSelfSignedCertificate({
    names: subjectNamesFor(['agent.example.test']),
    notBeforeMs: NOW,
    notAfterMs: NOW + 90 * 24 * 60 * 60 * 1000,
  });
  await writeFile(certPath, pair.cert);
  await writeFile(keyPath, pair.key);
  return pair;
}

async function loadError(): Promise<ConfigError> {
  const error: unknown = await loadUserCertificate({ certPath, keyPath }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ exitCode: 78, code: 'CONFIG_INVALID' });
  return error as ConfigError;
}

beforeEach(async () => {
  home = await tempHome();
  certPath = join(home.path, 'agent.crt');
  keyPath = join(home.path, 'agent.key');
});
afterEach(async () => {
  await home.remove();
});

describe('loadUserCertificate', () => {
  it('serves the user files exactly as they are, with the certificate fingerprint and expiry', async () => {
    const pair = await writePair();

    const loaded = await loadUserCertificate({ certPath, keyPath });

    expect(loaded).toMatchObject({ cert: pair.cert, key: pair.key, source: 'user' });
    expect(loaded.fingerprintSha256).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    expect(loaded.expiresAtMs).toBe(NOW + 90 * 24 * 60 * 60 * 1000);
  });

  it('a missing certificate file is a config error naming gateway.tls.certPath and the file', async () => {
    await writePair();
    certPath = join(home.path, 'missing.crt');

    const error = await loadError();

    expect(error.file).toBe(certPath);
    expect(error.message).toBe(
      `gateway.tls.certPath: cannot read the certificate ${certPath} (ENOENT); fix the path or the file's permissions`,
    );
  });

  it('a certificate file that is not PEM is a config error naming it', async () => {
    await writePair();
    await writeFile(certPath, 'hello');

    const error = await loadError();

    expect(error).toMatchObject({ file: certPath, configPath: 'gateway.tls.certPath' });
    expect(error.message).toContain(`gateway.tls.certPath: ${certPath} is not a PEM certificate`);
  });

  it('an encrypted or non-PEM key file is a config error naming it', async () => {
    await writePair();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(
      keyPath,
      privateKey.export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }),
    );

    const error = await loadError();

    expect(error).toMatchObject({ file: keyPath, configPath: 'gateway.tls.keyPath' });
    expect(error.message).toContain(
      `gateway.tls.keyPath: ${keyPath} is not an unencrypted PEM private key`,
    );
  });

  it('a key that belongs to another certificate is a config error naming both files', async () => {
    await writePair();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }));

    const error = await loadError();

    expect(error.file).toBe(keyPath);
    expect(error.message).toBe(
      `gateway.tls.keyPath: the private key does not belong to the certificate: ${keyPath} does not match ${certPath}; ` +
        'point keyPath at the key the certificate was made for',
    );
  });
});
