/**
 * How the running gateway follows the user's certificate files. A renewal tool replaces
 * them while the gateway may be reading them: a check that read one version's certificate
 * and the next one's key saw a swap in progress, not a broken pair, and must not report
 * one. Real files; the swap is made to land between the two reads by a hook on readFile
 * that runs the real one, so the case is the same on every run.
 */
import { copyFile, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterEach, expect, it, vi } from 'vitest';
import type { RefreshEvent } from './certificate-refresh.js';

/** Runs before each readFile of the module under test, with the path; then the real one. */
const reads = vi.hoisted(() => ({ before: (_path: string): Promise<void> => Promise.resolve() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const readFile = (async (...args: Parameters<typeof real.readFile>) => {
    const [path] = args;
    await reads.before(typeof path === 'string' ? path : '');
    return real.readFile(...args);
  }) as typeof real.readFile;
  return { ...real, default: { ...real, readFile }, readFile };
});

const { loadUserCertificate } = await import('./user-certificate.js');
const { CertificateRefresh } = await import('./certificate-refresh.js');
const { writeCertificatePair } = await import('./test-fixtures/support.js');
const { DAY_MS } = await import('./certificate-policy.js');

let home: string | undefined;
afterEach(async () => {
  reads.before = () => Promise.resolve();
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

/** The pair's fingerprint, once written (test-fixtures/support.ts). */
async function writePair(dir: string, fromMs?: number, toMs?: number): Promise<string> {
  return (await writeCertificatePair(dir, fromMs, toMs)).fingerprint;
}

it('does not report a pair read across a swap as broken, and serves the new one next', async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-cert-refresh-'));
  const base = home;
  await writePair(join(base, 'v0'));
  const renewed = await writePair(join(base, 'v1'));
  const live = join(base, 'live');
  await symlink(join(base, 'v0'), live);
  const paths = { certPath: join(live, 'cert.pem'), keyPath: join(live, 'key.pem') };
  const initial = await loadUserCertificate(paths);
  // The first check reads the key twice: for the files' digest, then to load the pair.
  // Just before the second, the renewal tool moves `live` on: v0's certificate, v1's key.
  let keyReads = 0;
  reads.before = async (path) => {
    if (path !== paths.keyPath || ++keyReads !== 2) return;
    await symlink(join(base, 'v1'), `${live}.next`);
    await rename(`${live}.next`, live);
  };
  const events: RefreshEvent[] = [];
  const refresh = new CertificateRefresh({
    source: { kind: 'user', paths },
    initial,
    clock: { now: () => Date.now() },
    policy: { recheckIntervalMs: 5 },
    report: (event) => events.push(event),
  });
  refresh.start(() => undefined);
  try {
    await vi.waitFor(() => expect(refresh.current.fingerprintSha256).toBe(renewed), {
      timeout: 2000,
    });
  } finally {
    await refresh.stop();
  }
  expect(keyReads, 'the swap landed between the two reads').toBeGreaterThanOrEqual(2);
  expect(
    events.filter((event) => event.kind === 'refused'),
    'the pair read across the swap, reported as broken',
  ).toEqual([]);
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

it('looks sooner while the pair it serves has expired, and at the regular pace once renewed', async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-cert-refresh-'));
  const base = home;
  // v0 expired yesterday: the renewal tool broke; v1 is what it writes once it works again.
  await writePair(join(base, 'v0'), Date.now() - 91 * DAY_MS, Date.now() - DAY_MS);
  const renewed = await writePair(join(base, 'v1'));
  const live = join(base, 'live');
  await symlink(join(base, 'v0'), live);
  const paths = { certPath: join(live, 'cert.pem'), keyPath: join(live, 'key.pem') };
  const events: RefreshEvent[] = [];
  const refresh = new CertificateRefresh({
    source: { kind: 'user', paths },
    initial: await loadUserCertificate(paths),
    clock: { now: () => Date.now() },
    policy: { recheckIntervalMs: REGULAR_MS, recheckAfterProblemMs: AFTER_PROBLEM_MS },
    report: (event) => events.push(event),
  });
  refresh.start(() => undefined);
  try {
    await symlink(join(base, 'v1'), `${live}.next`);
    await rename(`${live}.next`, live);
    await vi.waitFor(
      () => expect(refresh.current.fingerprintSha256, 'serves the renewed pair').toBe(renewed),
      { timeout: REGULAR_MS / 2 },
    );
    const checks = events.length;
    await new Promise((resolve) => setTimeout(resolve, 20 * AFTER_PROBLEM_MS));
    expect(events.length, 'checks after the renewal, at the regular pace').toBe(checks);
  } finally {
    await refresh.stop();
  }
});
