/** Helpers for the tests of src/main/tls only (excluded from the build). */
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../util/clock.js';
import { DAY_MS } from '../certificate-policy.js';
import { createSelfSignedCertificate } from '../self-signed.js';
import { subjectNamesFor } from '../subject-names.js';

/** A fresh special-agent home under the OS temp folder. */
export async function tempHome(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'special-agent-tls-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A clock the test sets by hand. */
export class ManualClock implements Clock {
  constructor(public nowMs = Date.parse('2026-01-15T12:00:00Z')) {}
  now(): number {
    return this.nowMs;
  }
}

/** `promise`, or a rejection naming `what` after `ms`, so a hang fails with a reason. */
export async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A certificate for 127.0.0.1 and its key, written as `cert.pem` and `key.pem` in `dir`,
 * as a user (or certbot) lays out `gateway.tls.certPath`/`keyPath`; valid from `fromMs`.
 */
export async function writeCertificatePair(
  dir: string,
  fromMs = Date.now(),
  toMs = fromMs + 90 * DAY_MS,
): Promise<{ cert: string; key: string; fingerprint: string }> {
  const pair = await createSelfSignedCertificate({
    names: subjectNamesFor(['127.0.0.1']),
    notBeforeMs: fromMs - 60_000,
    notAfterMs: toMs,
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cert.pem'), pair.cert);
  await writeFile(join(dir, 'key.pem'), pair.key);
  return { ...pair, fingerprint: new X509Certificate(pair.cert).fingerprint256 };
}
