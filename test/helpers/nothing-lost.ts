/**
 * "Nothing lost": the checks the adversarial suite runs around every attack (issue
 * "Adversarial suite"). `NothingLost.around(gateway, …)` snapshots the user's files and the
 * paired devices; `guard.check()` then asserts that
 * - `config.json5` and `state/devices.json` (with its journal) hash the same (unless the
 *   case allows a change),
 * - paired devices and their token hashes are the same,
 * - no temp file of an atomic write is left under the home folder,
 * - no canary secret appears in any frame the guard's clients received, any recorded HTTP
 *   response, any log line or any file under the home folder,
 * - the pre-paired device still completes `connect` with its device token in under 1 s.
 *
 * The gateway runs on a {@link TestClock} that only moves when a test says so: the
 * pre-paired device's "last seen" stamps then stay the same and nothing is written, so
 * the sha256 is a real "nothing changed" check. (A case that moves the clock changes
 * those stamps and must allow `pairing-store`.) test/security/guarded-gateway.ts builds
 * such a gateway, pre-paired device and canaries included.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { TEMP_FILE_MARKER } from '../../src/main/fs/atomic-file.js';
import { journalPathOf, readStoredState } from '../../src/main/pairing/pairing-store.js';
import type { PairingStoreData } from '../../src/main/pairing/types.js';
import type { Clock } from '../../src/main/util/clock.js';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import { GatewayClient } from '../../src/shared/gateway-client.js';
import { RawSocket, TEST_CLIENT, type DeviceOptions, type TestGateway } from './gateway.js';

/** The one timed assertion the issue demands: a pre-paired client connects within 1 s. */
export const PRE_PAIRED_CONNECT_LIMIT_MS = 1000;

/** What a case may mean to change; everything else must stay byte-identical. */
export type Changeable = 'config' | 'pairing-store' | 'paired-devices';

/** A clock that stands still until `advance` (the device signature and lockouts use it). */
export class TestClock implements Clock {
  #now: number;

  constructor(start = Date.now()) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }
}

/** A device paired before the attack, holding only its device token. */
export interface PrePaired {
  identity: DeviceIdentity;
  deviceToken: string;
}

export interface NothingLostOptions {
  /** Secrets that must never show up anywhere. */
  canaries: readonly string[];
  prePaired: PrePaired;
  clock: Clock;
}

interface Snapshot {
  config: string;
  pairingStore: string;
  paired: string;
  tempFiles: string[];
}

/** The guard of one case. */
export class NothingLost {
  readonly #gateway: TestGateway;
  readonly #options: NothingLostOptions;
  readonly #before: Snapshot;
  readonly #transcripts: (() => string)[] = [];
  #checked = false;

  private constructor(gateway: TestGateway, options: NothingLostOptions, before: Snapshot) {
    this.#gateway = gateway;
    this.#options = options;
    this.#before = before;
  }

  /** Snapshots the gateway's files and devices; call it after setup, before the attack. */
  static async around(gateway: TestGateway, options: NothingLostOptions): Promise<NothingLost> {
    return new NothingLost(gateway, options, await snapshot(gateway.home));
  }

  /** True once `check` ran; the suites' afterEach refuses a case that forgot it. */
  get checked(): boolean {
    return this.#checked;
  }

  get prePaired(): PrePaired {
    return this.#options.prePaired;
  }

  /** A device client whose every received frame is searched for canaries. */
  client(options: DeviceOptions & { identity: DeviceIdentity; url?: string }): GatewayClient {
    const seen: string[] = [];
    this.#transcripts.push(() => seen.join('\n'));
    return new GatewayClient({
      openSocket: () => {
        const ws = new WebSocket(options.url ?? this.#gateway.wsUrl, {
          headers: options.headers ?? {},
          perMessageDeflate: false,
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        });
        ws.on('message', (data: Buffer) => seen.push(data.toString('utf8')));
        return ws;
      },
      identity: options.identity,
      client: { ...TEST_CLIENT, ...options.client },
      now: options.now ?? (() => this.#options.clock.now()),
      ...(options.scopes ? { scopes: options.scopes } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
    });
  }

  /** A raw socket whose frames are searched for canaries. */
  raw(
    options: { headers?: Record<string, string>; localAddress?: string; url?: string } = {},
  ): RawSocket {
    const socket = new RawSocket(options.url ?? this.#gateway.wsUrl, options);
    this.#transcripts.push(() => JSON.stringify(socket.frames));
    return socket;
  }

  /** Adds text the attacker saw (an HTTP response, say) to what is searched for canaries. */
  record(text: string): void {
    this.#transcripts.push(() => text);
  }

  /** Connects the pre-paired device with its device token; asserts it took < 1 s. */
  async prePairedConnectMs(): Promise<number> {
    const { identity, deviceToken } = this.#options.prePaired;
    const client = this.client({ identity, auth: { deviceToken } });
    const started = performance.now();
    const hello = await client.connect();
    const elapsed = performance.now() - started;
    client.close();
    await client.closed();
    expect(hello.auth, 'a device-token connect issues no new token').toBeUndefined();
    expect(elapsed, 'pre-paired connect time (ms)').toBeLessThan(PRE_PAIRED_CONNECT_LIMIT_MS);
    return elapsed;
  }

  /**
   * Asserts everything the header lists, then leaves the gateway stopped (call it last).
   * `allowChanged` names what the case meant to change.
   */
  async check(options: { allowChanged?: readonly Changeable[] } = {}): Promise<void> {
    this.#checked = true;
    const allowed = new Set(options.allowChanged ?? []);
    await this.prePairedConnectMs();
    // Stopping writes whatever the pairing service still holds in memory (lazy stamps),
    // so the files are compared as a restart would find them.
    await this.#gateway.stop();
    const after = await snapshot(this.#gateway.home);
    if (!allowed.has('config'))
      expect(after.config, 'sha256 of config.json5').toBe(this.#before.config);
    if (!allowed.has('pairing-store')) {
      expect(after.pairingStore, 'sha256 of state/devices.json and devices.journal').toBe(
        this.#before.pairingStore,
      );
    }
    if (!allowed.has('paired-devices')) {
      expect(after.paired, 'paired devices and token hashes').toBe(this.#before.paired);
    }
    expect(after.tempFiles, 'temp files left behind').toEqual([]);
    await this.#expectNoCanary();
  }

  async #expectNoCanary(): Promise<void> {
    const texts = [...this.#transcripts.map((read) => read()), ...this.#gateway.logs];
    const files = await filesUnder(this.#gateway.home);
    for (const canary of this.#options.canaries) {
      expect(
        texts.filter((text) => text.includes(canary)),
        'responses or logs holding a canary',
      ).toEqual([]);
      for (const file of files) {
        const content = await readFile(file).catch(() => Buffer.alloc(0));
        expect(content.includes(canary), `canary found in ${file}`).toBe(false);
      }
    }
  }
}

async function sha256Of(path: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return 'missing';
  }
}

/** deviceId → roles, scopes and token hashes (what an attacker would want to change). */
async function pairedSummary(storePath: string): Promise<string> {
  let data: PairingStoreData;
  try {
    // devices.json with its journal replayed, as a restart would load it.
    data = await readStoredState(storePath);
  } catch {
    return 'missing';
  }
  const devices = Object.entries(data.paired ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, d]) => ({
      id,
      publicKey: d.publicKey,
      roles: d.roles,
      scopes: d.scopes,
      tokens: d.tokens.map((t) => ({
        role: t.role,
        hash: t.hash,
        rotated: t.rotatedAtMs,
        revoked: t.revokedAtMs,
      })),
    }));
  return JSON.stringify(devices);
}

async function snapshot(home: string): Promise<Snapshot> {
  const store = join(home, 'state', 'devices.json');
  const files = await filesUnder(home);
  return {
    config: await sha256Of(join(home, 'config.json5')),
    pairingStore: `${await sha256Of(store)} ${await sha256Of(journalPathOf(store))}`,
    paired: await pairedSummary(store),
    tempFiles: files.filter((file) => file.includes(TEMP_FILE_MARKER)),
  };
}

/** Every regular file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
