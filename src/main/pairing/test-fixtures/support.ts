import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../util/clock.js';
import type { PairingRequestInput } from '../types.js';

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2025, 0, 31, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export async function tempHome(): Promise<{
  dir: string;
  storePath: string;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sa-pairing-'));
  return {
    dir,
    storePath: join(dir, 'state', 'devices.json'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A pairing request as the handshake would make it for device number `n`. */
export function requestFor(
  n: number | string,
  overrides: Partial<PairingRequestInput> = {},
): PairingRequestInput {
  const publicKey = createHash('sha256').update(`key-${n}`).digest('base64url');
  return {
    deviceId: createHash('sha256').update(publicKey).digest('hex'),
    publicKey,
    displayName: `Device ${n}`,
    platform: 'linux',
    clientId: 'special-agent-cli',
    clientMode: 'cli',
    role: 'operator',
    scopes: ['operator.read'],
    remoteIp: '192.168.1.10',
    reason: 'not-paired',
    ...overrides,
  };
}
