// A generated `devices.json` in format version 2 (the previous release's, no journal) with
// many paired devices, for the load and paging tests. Deterministic: device n is always
// the same, and `sameApprovalEvery` devices share one approval time, so list order must
// fall back to the device id.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredPairedDevice } from '../types.js';

/** The token whose SHA-256 device `n` of {@link versionTwoStore} holds. */
export function generatedToken(n: number): string {
  return `generated-token-${n}`;
}

/** Paired device number `n` as the store keeps it. */
export function generatedDevice(n: number, sameApprovalEvery = 3): StoredPairedDevice {
  const publicKey = createHash('sha256').update(`generated-key-${n}`).digest('base64url');
  const approvedAtMs = Date.UTC(2025, 0, 1) + Math.floor(n / sameApprovalEvery) * 1000;
  return {
    deviceId: createHash('sha256').update(publicKey).digest('hex'),
    publicKey,
    displayName: `Generated ${n}`,
    platform: n % 2 === 0 ? 'linux' : 'android',
    clientId: 'special-agent-cli',
    roles: ['operator'],
    scopes: ['operator.read', 'operator.write'],
    createdAtMs: approvedAtMs,
    approvedAtMs,
    approvedBy: n % 5 === 0 ? 'operator' : 'local-auto',
    lastSeenAtMs: approvedAtMs + 60_000,
    remoteIp: `192.168.${Math.floor(n / 250) % 250}.${n % 250}`,
    tokens: [
      {
        role: 'operator',
        hash: createHash('sha256').update(generatedToken(n)).digest('hex'),
        createdAtMs: approvedAtMs,
        ...(n % 7 === 0 ? { revokedAtMs: approvedAtMs + 1 } : { lastUsedAtMs: approvedAtMs + 5 }),
      },
    ],
  };
}

/** A version 2 store object with `count` paired devices (and one ignored device). */
export function versionTwoStore(count: number) {
  const paired: Record<string, StoredPairedDevice> = {};
  for (let n = 0; n < count; n += 1) {
    const device = generatedDevice(n);
    paired[device.deviceId] = device;
  }
  const ignoredId = 'f'.repeat(64);
  return {
    version: 2 as const,
    pending: {},
    paired,
    invites: {},
    ignored: {
      [ignoredId]: {
        deviceId: ignoredId,
        displayName: 'Ignored',
        ignoredAtMs: 1,
        requestId: 'r-ignored',
      },
    },
  };
}

/** Writes {@link versionTwoStore} as `storePath`, pretty-printed like the previous release. */
export async function writeVersionTwoStore(storePath: string, count: number) {
  const store = versionTwoStore(count);
  await mkdir(dirname(storePath), { recursive: true, mode: 0o700 });
  await writeFile(storePath, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  return store;
}
