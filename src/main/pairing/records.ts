import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError, invalidRequest, notFound } from '../../shared/errors.js';
import { scopesCover } from '../../shared/scopes.js';
import type { PairingLimits } from './pairing-limits.js';
import type {
  ApprovedBy,
  DirectApprovalInput,
  PairedDevice,
  PairingRequestInput,
  PairingResolvedEvent,
  PairingStoreData,
  PendingRequest,
  StoredPairedDevice,
} from './types.js';

/** The public view of a stored device: token hashes dropped, arrays copied. */
export function toPublicDevice(device: StoredPairedDevice): PairedDevice {
  const { tokens, roles, scopes, ...rest } = device;
  return {
    ...rest,
    roles: [...roles],
    scopes: [...scopes],
    tokens: tokens.map(({ hash: _hash, ...info }) => ({ ...info })),
  };
}

/** A copy of a pending request, so callers cannot change the service's state. */
export function copyPending(request: PendingRequest): PendingRequest {
  return { ...request, scopes: [...request.scopes] };
}

/** `values` without duplicates, first occurrence kept. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** True when both lists hold the same scopes, in any order. */
export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((scope) => right.has(scope));
}

/** RFC 4122 version-4 UUID text from 16 random bytes (the shape `crypto.randomUUID` gives). */
export function uuidFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Lowercase hex SHA-256 of a device token: all the store ever keeps of it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time check of `token` against a stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashToken(token), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Adds an approval to the paired record of `input.deviceId`: creates it, or on a repair
 * merges the role and scopes into what was approved before and refreshes the metadata.
 */
export function applyApproval(
  data: PairingStoreData,
  input: DirectApprovalInput,
  approvedBy: ApprovedBy,
  now: number,
): StoredPairedDevice {
  const previous = data.paired[input.deviceId];
  const device: StoredPairedDevice = {
    ...previous,
    deviceId: input.deviceId,
    publicKey: input.publicKey,
    clientId: input.clientId,
    roles: unique([...(previous?.roles ?? []), input.role]),
    scopes: unique([...(previous?.scopes ?? []), ...input.scopes]),
    createdAtMs: previous?.createdAtMs ?? now,
    approvedAtMs: now,
    approvedBy,
    tokens: previous?.tokens ?? [],
  };
  for (const key of ['displayName', 'platform', 'deviceFamily'] as const) {
    const value = input[key];
    if (value !== undefined) device[key] = value;
  }
  data.paired[input.deviceId] = device;
  return device;
}

/**
 * The scopes approving `request` grants: what it asked for, or `narrowTo`, which may only
 * narrow it: each scope must be covered by the request after implication (an admin
 * request may be approved as `operator.read`), an unknown one only by being asked for.
 * Anything else is INVALID_REQUEST: widening on approval would skip the device's own ask.
 */
export function approvedScopes(request: PendingRequest, narrowTo?: readonly string[]): string[] {
  if (narrowTo === undefined) return [...request.scopes];
  if (narrowTo.length === 0)
    throw invalidRequest(
      'approval scopes must name at least one scope (to refuse the request, reject it)',
    );
  const extra = narrowTo.find((scope) => !scopesCover(request.scopes, [scope]));
  if (extra !== undefined) {
    const asked = request.scopes.length ? request.scopes.join(', ') : 'no scopes';
    throw invalidRequest(
      `scope ${extra} is not in pairing request ${request.requestId} (it asks for ${asked}); approval scopes may only narrow the request`,
    );
  }
  return unique(narrowTo);
}

/** Removes every pending request of `deviceId`; returns the removed ones. */
export function dropPendingOf(data: PairingStoreData, deviceId: string): PendingRequest[] {
  const dropped = Object.values(data.pending).filter((request) => request.deviceId === deviceId);
  for (const request of dropped) delete data.pending[request.requestId];
  return dropped;
}

/** True when an approval of `device` covers what `ask` asks: its role, and its scopes after implication. */
export function approvalCovers(
  device: { roles: readonly string[]; scopes: readonly string[] },
  ask: { role: string; scopes: readonly string[] },
): boolean {
  return device.roles.includes(ask.role) && scopesCover(device.scopes, ask.scopes);
}

/**
 * Removes the pending requests of `device` that its record now covers (it was paired some
 * other way: an invite, a silent local connect) and returns them; one asking for more stays.
 */
export function settleCoveredPending(
  data: PairingStoreData,
  device: StoredPairedDevice,
): PendingRequest[] {
  const settled = Object.values(data.pending).filter(
    (request) => request.deviceId === device.deviceId && approvalCovers(device, request),
  );
  for (const request of settled) delete data.pending[request.requestId];
  return settled;
}

/** Removes pending requests whose time is up at `now`; returns them. */
export function dropExpired(data: PairingStoreData, now: number): PendingRequest[] {
  const expired = Object.values(data.pending).filter((request) => isExpired(request, now));
  for (const request of expired) delete data.pending[request.requestId];
  return expired;
}

/** A request is gone from the instant `expiresAtMs` is reached. */
export function isExpired(request: PendingRequest, now: number): boolean {
  return now >= request.expiresAtMs;
}

/** The optional client metadata of a request, without undefined keys. */
export function optionalMetadata(
  input: PairingRequestInput,
): Pick<PendingRequest, 'displayName' | 'platform' | 'deviceFamily'> {
  const metadata: Pick<PendingRequest, 'displayName' | 'platform' | 'deviceFamily'> = {};
  if (input.displayName !== undefined) metadata.displayName = input.displayName;
  if (input.platform !== undefined) metadata.platform = input.platform;
  if (input.deviceFamily !== undefined) metadata.deviceFamily = input.deviceFamily;
  return metadata;
}

/** The `resolved` event payload for `request`. */
export function resolution(
  request: PendingRequest,
  decision: PairingResolvedEvent['decision'],
  ts: number,
): PairingResolvedEvent {
  return { requestId: request.requestId, deviceId: request.deviceId, decision, ts };
}

/** Removes and returns a pending request, or throws NOT_FOUND naming the CLI to list them. */
export function takePending(data: PairingStoreData, requestId: string): PendingRequest {
  // Own properties only: an id such as `__proto__` or `toString` must not reach Object.prototype.
  const request = Object.hasOwn(data.pending, requestId) ? data.pending[requestId] : undefined;
  if (request === undefined) {
    throw notFound(
      `pairing request ${requestId} not found or expired (run \`special-agent devices list\` to see pending requests)`,
    );
  }
  delete data.pending[requestId];
  return request;
}

/** The paired record of `deviceId`, or NOT_FOUND naming the CLI to list them. */
export function getPaired(data: PairingStoreData, deviceId: string): StoredPairedDevice {
  const device = Object.hasOwn(data.paired, deviceId) ? data.paired[deviceId] : undefined;
  if (device === undefined) {
    throw notFound(
      `device ${deviceId} is not paired (run \`special-agent devices list\` to see paired devices)`,
    );
  }
  return device;
}

/**
 * Adds a new request of `input`'s device to `data`, live for `limits.pendingTtlMs`. Past
 * `maxPendingPerAddress` requests from its address or `maxPendingTotal` in all:
 * `PAIRING_LIMIT_REACHED` with `retryAfterMs`, and nothing changes.
 */
export function addPending(
  data: PairingStoreData,
  input: PairingRequestInput,
  now: number,
  limits: Pick<PairingLimits, 'pendingTtlMs' | 'maxPendingPerAddress' | 'maxPendingTotal'>,
  random: (size: number) => Uint8Array,
): PendingRequest {
  const live = Object.values(data.pending);
  const fromAddress = live.filter((request) => request.remoteIp === input.remoteIp);
  if (fromAddress.length >= limits.maxPendingPerAddress) throw limitReached(fromAddress, now);
  if (live.length >= limits.maxPendingTotal) throw limitReached(live, now);
  const request: PendingRequest = {
    requestId: uuidFromBytes(random(16)),
    deviceId: input.deviceId,
    publicKey: input.publicKey,
    ...optionalMetadata(input),
    clientId: input.clientId,
    clientMode: input.clientMode,
    role: input.role,
    scopes: unique(input.scopes),
    remoteIp: input.remoteIp,
    reason: input.reason,
    isRepair: data.paired[input.deviceId] !== undefined,
    ts: now,
    expiresAtMs: now + limits.pendingTtlMs,
  };
  data.pending[request.requestId] = request;
  return request;
}

/** PAIRING_LIMIT_REACHED, retryable when the oldest of `relevant` expires. */
export function limitReached(relevant: readonly PendingRequest[], now: number): GatewayError {
  const oldest = Math.min(...relevant.map((request) => request.expiresAtMs));
  return GatewayError.of('PAIRING_LIMIT_REACHED', { retryAfterMs: Math.max(0, oldest - now) });
}
