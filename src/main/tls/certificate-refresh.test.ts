/**
 * A renewal tool replaces the user's files while the gateway may be reading them: a check
 * that reads one version's certificate and the next one's key has seen a swap in progress,
 * not a broken pair, and must not report one. Real files, swapped back and forth with the
 * checks running every millisecond. Without the re-read it failed on 5 runs of 6.
 */
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { loadUserCertificate } from './user-certificate.js';
import { CertificateRefresh, type RefreshEvent } from './certificate-refresh.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { subjectNamesFor } from './subject-names.js';
import { DAY_MS } from './certificate-policy.js';

/** Swaps, each followed by a pause a few checks long, as a renewal tool's steps are. */
const SWAPS = 300;
const PAUSE_MS = 4;
let home: string | undefined;
afterEach(async () => {
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

async function writePair(dir: string) {
  const pair = await createSelfSignedCertificate({
    names: subjectNamesFor(['127.0.0.1']),
    notBeforeMs: Date.now() - 60_000,
    notAfterMs: Date.now() + 90 * DAY_MS,
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cert.pem'), pair.cert);
  await writeFile(join(dir, 'key.pem'), pair.key);
  return new X509Certificate(pair.cert).fingerprint256;
}

it('never reports a pair read in the middle of a swap as broken, and ends on the last one', async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-cert-refresh-'));
  const fingerprints = [await writePair(join(home, 'v0')), await writePair(join(home, 'v1'))];
  const live = join(home, 'live');
  await symlink(join(home, 'v0'), live);
  const paths = { certPath: join(live, 'cert.pem'), keyPath: join(live, 'key.pem') };
  const events: RefreshEvent[] = [];
  const refresh = new CertificateRefresh({
    source: { kind: 'user', paths },
    initial: await loadUserCertificate(paths),
    clock: { now: () => Date.now() },
    policy: { recheckIntervalMs: 1 },
    report: (event) => events.push(event),
  });
  refresh.start(() => undefined);
  try {
    for (let swap = 1; swap <= SWAPS; swap += 1) {
      await symlink(join(home, `v${swap % 2}`), `${live}.next`);
      await rename(`${live}.next`, live);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    const deadline = Date.now() + 5000;
    while (refresh.current.fingerprintSha256 !== fingerprints[SWAPS % 2] && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await refresh.stop();
  }
  const refused = events.filter((event) => event.kind === 'refused');
  expect(refused, 'pairs read mid-swap reported as broken').toEqual([]);
  expect(refresh.current.fingerprintSha256, 'serves the last version').toBe(
    fingerprints[SWAPS % 2],
  );
  expect(events.length, 'the checks ran while the files were swapped').toBeGreaterThan(10);
});

/** The regular check, and the sooner one: the fix must be found long before the next regular one. */
const REGULAR_MS = 3000;
const AFTER_PROBLEM_MS = 10;

it('looks again within recheckAfterProblemMs once files it refused are put right', async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-cert-refresh-'));
  const base = home;
  await writePair(join(base, 'v0'));
  const fixed = await writePair(join(base, 'v1'));
  // v2: a new certificate beside v0's key, as a renewal done by hand half-way leaves it.
  await writePair(join(base, 'v2'));
  await copyFile(join(base, 'v0', 'key.pem'), join(base, 'v2', 'key.pem'));
  const live = join(base, 'live');
  const switchTo = async (version: string) => {
    await symlink(join(base, version), `${live}.next`);
    await rename(`${live}.next`, live);
  };
  await symlink(join(base, 'v0'), live);
  const paths = { certPath: join(live, 'cert.pem'), keyPath: join(live, 'key.pem') };
  const initial = await loadUserCertificate(paths);
  await switchTo('v2');
  const events: RefreshEvent[] = [];
  const refresh = new CertificateRefresh({
    source: { kind: 'user', paths },
    initial,
    clock: { now: () => Date.now() },
    policy: { recheckIntervalMs: REGULAR_MS, recheckAfterProblemMs: AFTER_PROBLEM_MS },
    report: (event) => events.push(event),
  });
  refresh.start(() => undefined);
  try {
    await vi.waitFor(() => expect(events.map((event) => event.kind)).toContain('refused'), {
      timeout: REGULAR_MS * 2,
    });
    await switchTo('v1');
    await vi.waitFor(
      () => expect(refresh.current.fingerprintSha256, 'serves the fixed files').toBe(fixed),
      { timeout: REGULAR_MS / 2 },
    );
  } finally {
    await refresh.stop();
  }
});
