/**
 * The certificate is kept current while the gateway runs (src/main/tls/certificate-refresh.ts),
 * not only at start: its own certificate is renewed before it expires, and the user's files
 * are served once they change on disk, without a restart and without dropping connections.
 *
 * A real HTTPS/WSS gateway on 127.0.0.1:0 checks every few milliseconds
 * (`tlsRecheckIntervalMs`); the tests wait for what a user would see (the fingerprint a new
 * handshake gets, a log line) with a bound, then assert it.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DAY_MS } from '../../src/main/tls/certificate-policy.js';
import { pinnedWebSocketOptions } from '../../src/main/tls/pinned-websocket.js';
import { writeCertificatePair } from '../../src/main/tls/test-fixtures/support.js';
import { GatewayClient } from '../../src/shared/gateway-client.js';
import type { StatusPayload } from '../../src/shared/protocol.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import {
  makeTempHome,
  newIdentity,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
} from '../helpers/gateway.js';

/** Short enough that many checks run while a test waits, long enough not to spin. */
const RECHECK_MS = 25;

const gateways: TestGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
});

/** A clock the test moves by hand; the gateway reads it for expiry and signatures. */
class ManualClock {
  constructor(public nowMs: number) {}
  now(): number {
    return this.nowMs;
  }
}

async function startTls(
  home: string,
  tls: Record<string, unknown>,
  clock?: ManualClock,
): Promise<TestGateway> {
  const gateway = await startTestGateway({
    home,
    config: { gateway: { tls: { enabled: true, ...tls } } },
    limits: { tlsRecheckIntervalMs: RECHECK_MS },
    ...(clock ? { clock } : {}),
  });
  gateways.push(gateway);
  return gateway;
}

/**
 * Resolves once `condition` holds, or after {@link OUTCOME_WAIT_MS} if it never does: the
 * assertions after it then say what was missing (not a bare timeout).
 */
async function settle(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + OUTCOME_WAIT_MS;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
  }
}

/** The fingerprint a new TLS handshake with the gateway gets. */
function servedFingerprint(port: number): Promise<string> {
  const handshake = new Promise<string>((resolve, reject) => {
    // The certificate is self-signed: what it is, not who signed it, is what is checked here.
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
  return within(OUTCOME_WAIT_MS, handshake, 'a TLS handshake with the gateway');
}

/** A device over `wss://` pinned to `fingerprint`, after hello-ok. */
async function pinnedDevice(gateway: TestGateway, fingerprint: string, clock: ManualClock) {
  const client = new GatewayClient({
    openSocket: () =>
      new WebSocket(`wss://127.0.0.1:${gateway.app.port}/`, {
        perMessageDeflate: false,
        ...pinnedWebSocketOptions(fingerprint),
      }),
    identity: await newIdentity(),
    client: TEST_CLIENT,
    auth: { token: gateway.token },
    // Signed with the gateway's time, so the signature is never out of its skew.
    now: () => clock.now(),
  });
  await within(OUTCOME_WAIT_MS, client.connect(), 'hello-ok over wss');
  return client;
}

/** Lines the gateway logged at `level` that contain `text`. */
function logged(gateway: TestGateway, level: string, text: string): string[] {
  return gateway.logs.filter((line) => line.includes(` ${level} `) && line.includes(text));
}

/** How many certificate checks the gateway logged (one debug line each). */
function checks(gateway: TestGateway): number {
  return logged(gateway, 'debug', 'TLS certificate checked').length;
}

/** A pair for 127.0.0.1 in `dir` (cert.pem, key.pem), valid from `fromMs` to `toMs`. */
const writePair = writeCertificatePair;

/**
 * The user's certificate as a renewal tool lays it out: `live` points at the current
 * version's folder, and moves to a new one in one rename. A check that reads the two files
 * across that rename sees a new certificate beside an old key; the refresh reads again
 * (certificate-refresh.test.ts).
 */
async function userCertificate(home: string) {
  const live = join(home, 'live');
  const paths = { certPath: join(live, 'cert.pem'), keyPath: join(live, 'key.pem') };
  const first = await writePair(join(home, 'v1'));
  await symlink(join(home, 'v1'), live);
  return {
    paths,
    first,
    async switchTo(version: string): Promise<void> {
      await symlink(join(home, version), `${live}.next`);
      await rename(`${live}.next`, live);
    },
  };
}

/** Every file in `dir` with its content and mtime, to show nothing was rewritten. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir);
  const pairs = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return [path, `${info.mtimeMs} ${content}`] as const;
    }),
  );
  return Object.fromEntries(pairs);
}

describe("the gateway's own certificate while the gateway runs", () => {
  it('is renewed near its expiry: a new handshake gets the new fingerprint, an open connection stays up', async () => {
    const home = await makeTempHome();
    // Made 800 days ago, so it expires in 25 days, inside the 30-day renewal window once
    // the clock reaches today.
    const clock = new ManualClock(Date.now() - 800 * DAY_MS);
    const gateway = await startTls(home, {}, clock);
    const before = gateway.app.tls.fingerprintSha256 ?? '';
    const device = await pinnedDevice(gateway, before, clock);

    clock.nowMs = Date.now();
    await settle(() => gateway.app.tls.fingerprintSha256 !== before);

    const after = await servedFingerprint(gateway.app.port);
    expect(after, 'the fingerprint a new handshake gets').not.toBe(before);
    expect(gateway.app.tls.fingerprintSha256).toBe(after);
    expect(gateway.app.tls.expiresAtMs).toBeGreaterThan(Date.now() + 800 * DAY_MS);
    const onDisk = await readFile(join(home, 'tls', 'gateway.pem'), 'utf8');
    expect(new X509Certificate(onDisk).fingerprint256).toBe(after);
    // The connection made before the renewal still answers, and status shows the new one.
    const status = await within(
      OUTCOME_WAIT_MS,
      device.request<StatusPayload>('status'),
      'status over the connection opened before the renewal',
    );
    expect(status.tls.fingerprintSha256).toBe(after);
    device.close();
    const renewed = logged(gateway, 'warn', 'renewed the TLS certificate');
    expect(renewed).toHaveLength(1);
    expect(renewed[0]).toContain('about to expire');
    expect(renewed[0]).toContain(`--tls-fingerprint ${after}`);
  });
});

describe('a user certificate while the gateway runs', () => {
  it('is served to the next connection once its files are replaced on disk', async () => {
    const home = await makeTempHome();
    const user = await userCertificate(home);
    const gateway = await startTls(home, user.paths);
    expect(await servedFingerprint(gateway.app.port)).toBe(user.first.fingerprint);

    const second = await writePair(join(home, 'v2'));
    await user.switchTo('v2');
    await settle(() => gateway.app.tls.fingerprintSha256 === second.fingerprint);

    expect(await servedFingerprint(gateway.app.port), 'the fingerprint a new handshake gets').toBe(
      second.fingerprint,
    );
    expect(gateway.app.tls.fingerprintSha256).toBe(second.fingerprint);
    const reloaded = logged(gateway, 'info', 'reloaded the TLS certificate');
    expect(reloaded).toHaveLength(1);
    expect(reloaded[0]).toContain(user.paths.certPath);
    expect(reloaded[0]).toContain(`--tls-fingerprint ${second.fingerprint}`);
    expect(logged(gateway, 'error', '')).toEqual([]);
  });

  it('keeps serving the old pair when the new files are broken, says so once per change, and rewrites nothing', async () => {
    const home = await makeTempHome();
    const user = await userCertificate(home);
    const gateway = await startTls(home, user.paths);
    // v2: a new certificate beside the old key, as a half-done renewal leaves it.
    const other = await writePair(join(home, 'v2'));
    await writeFile(join(home, 'v2', 'key.pem'), user.first.key);
    const files = { v1: await snapshot(join(home, 'v1')), v2: await snapshot(join(home, 'v2')) };

    await user.switchTo('v2');
    await settle(() => logged(gateway, 'error', '').length > 0);
    const checked = checks(gateway);
    await settle(() => checks(gateway) >= checked + 3);

    const errors = logged(gateway, 'error', '');
    expect(errors, 'one error line for the broken files').toHaveLength(1);
    expect(errors[0]).toContain(user.paths.keyPath);
    expect(errors[0]).toContain('does not match');
    expect(errors[0]).toContain(user.first.fingerprint);
    expect(errors[0]).not.toContain('PRIVATE KEY');
    expect(errors[0]).not.toContain(user.first.key.split('\n')[1]);
    expect(await servedFingerprint(gateway.app.port)).toBe(user.first.fingerprint);
    expect(gateway.app.tls.fingerprintSha256).toBe(user.first.fingerprint);
    expect({ v1: await snapshot(join(home, 'v1')), v2: await snapshot(join(home, 'v2')) }).toEqual(
      files,
    );
    expect(existsSync(join(home, 'tls')), 'a <home>/tls folder').toBe(false);
    expect(other.fingerprint).not.toBe(user.first.fingerprint);

    // Changed again, still broken: one more line, naming the new problem.
    await mkdir(join(home, 'v3'));
    await writeFile(join(home, 'v3', 'cert.pem'), 'not a certificate\n');
    await writeFile(join(home, 'v3', 'key.pem'), user.first.key);
    await user.switchTo('v3');
    await settle(() => logged(gateway, 'error', '').length > 1);
    expect(logged(gateway, 'error', '')).toHaveLength(2);
    expect(logged(gateway, 'error', 'is not a PEM certificate')).toHaveLength(1);
    expect(await servedFingerprint(gateway.app.port)).toBe(user.first.fingerprint);
  });

  it('keeps serving the old pair when the new one has already expired, naming the file', async () => {
    const home = await makeTempHome();
    const user = await userCertificate(home);
    const gateway = await startTls(home, user.paths);

    const now = Date.now();
    await writePair(join(home, 'v2'), now - 100 * DAY_MS, now - DAY_MS);
    await user.switchTo('v2');
    await settle(() => logged(gateway, 'error', '').length > 0);

    const errors = logged(gateway, 'error', 'expired on');
    expect(errors, 'one error line for the expired files').toHaveLength(1);
    expect(errors[0]).toContain(user.paths.certPath);
    expect(await servedFingerprint(gateway.app.port)).toBe(user.first.fingerprint);
    expect(gateway.app.tls.fingerprintSha256).toBe(user.first.fingerprint);
  });
});
