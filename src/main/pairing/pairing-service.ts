import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { conflict } from '../../shared/errors.js';
import type { PairListPayload } from '../../shared/protocol.js';
import type { Clock } from '../util/clock.js';
import { liveDeviceToken, replaceDeviceToken, type IssuedDeviceToken } from './device-tokens.js';
import { HandshakeViews } from './handshake-view.js';
import { decodeCursor, encodeCursor } from './paired-index.js';
import { PAIRED_PAGE_LIMIT, resolvePairingLimits, type PairingLimits } from './pairing-limits.js';
import { PairingState, type Transaction } from './pairing-state.js';
import { PairingStore } from './pairing-store.js';
import { IgnoreList } from './ignored.js';
import { InviteBook } from './invites.js';
import {
  applyApproval,
  approvedScopes,
  copyPending,
  dropPendingOf,
  limitReached,
  optionalMetadata,
  resolution,
  sameScopes,
  getPaired,
  takePending,
  toPublicDevice,
  tokenMatches,
  unique,
  uuidFromBytes,
} from './records.js';
import type {
  ApprovedBy,
  DeviceChangedEvent,
  DevicePairedEvent,
  DirectApprovalInput,
  PairedDevice,
  PairingRequestInput,
  PairingResolvedEvent,
  PendingRequest,
} from './types.js';

/** Events of {@link PairingService}. */
export interface PairingServiceEvents {
  /** A new pending request (not a refreshed one). */
  requested: [PendingRequest];
  resolved: [PairingResolvedEvent];
  /** A device was paired or given more (local-auto, operator or invite). */
  paired: [DevicePairedEvent];
  /** The device's live sockets must close with 4001. */
  'device-changed': [DeviceChangedEvent];
  /** A background sweep could not persist; the gateway should log it. */
  'write-failed': [Error];
}

/** What {@link PairingService.open} needs. */
export interface PairingServiceOptions {
  /** `resolvePaths().devices`. */
  path: string;
  clock: Clock;
  /** Random bytes for request ids and device tokens. */
  random?: (size: number) => Uint8Array;
  limits?: Partial<PairingLimits>;
}

/** How {@link PairingService.approve} approves. */
export interface ApproveOptions {
  /** Default `operator`. */
  approvedBy?: ApprovedBy;
  /** Names the paired record (already validated and trimmed by the caller). */
  displayName?: string | undefined;
  /** Grant only these; each must be covered by the request (may only narrow it). */
  scopes?: readonly string[] | undefined;
  /**
   * Called with the scopes this approval grants before anything is written; a throw
   * refuses the approval and leaves the request pending (the gateway's grant check).
   */
  authorize?: (granted: readonly string[]) => void;
}

/** What {@link PairingService.list} pages by. */
export interface PairedListQuery {
  /** 1 to {@link PAIRED_PAGE_LIMIT} (checked by the caller); default {@link PAIRED_PAGE_LIMIT}. */
  limit?: number | undefined;
  /** The `nextCursor` of the previous page; INVALID_REQUEST for anything else. */
  cursor?: string | undefined;
}

/**
 * Pending pairing requests and paired devices, persisted in `devices.json`. Every mutation
 * runs one at a time, is written durably before its promise resolves, and only then
 * becomes visible and announced.
 */
export class PairingService extends EventEmitter<PairingServiceEvents> {
  readonly #state: PairingState;
  readonly #clock: Clock;
  readonly #random: (size: number) => Uint8Array;
  readonly #limits: PairingLimits;
  readonly #timer: NodeJS.Timeout;
  readonly #handshakeViews = new HandshakeViews();
  /** Invites: single-use codes that pair a device at once. */
  readonly invites: InviteBook;
  /** Devices whose requests a person chose to ignore. */
  readonly ignored: IgnoreList;

  private constructor(store: PairingStore, options: PairingServiceOptions) {
    super();
    this.#clock = options.clock;
    this.#random = options.random ?? randomBytes;
    this.#limits = resolvePairingLimits(options.limits);
    this.#state = new PairingState(
      store,
      options.clock,
      (request, now) => this.emit('resolved', resolution(request, 'expired', now)),
      {
        stampWriteDelayMs: this.#limits.stampWriteDelayMs,
        journalCompactBytes: this.#limits.journalCompactBytes,
        onWriteFailed: (error) => this.emit('write-failed', error),
      },
    );
    this.#timer = setInterval(() => this.#sweep(), this.#limits.sweepIntervalMs);
    this.#timer.unref();
    const onResolved = (event: PairingResolvedEvent) => this.emit('resolved', event);
    this.invites = new InviteBook(this.#state, {
      clock: this.#clock,
      random: this.#random,
      maxLive: () => this.#limits.maxLiveInvites,
      onResolved,
      onPaired: (device, inviteId) => this.#announcePaired(device, 'invite', inviteId),
    });
    this.ignored = new IgnoreList(this.#state, onResolved);
  }

  /** Loads the store at `options.path` and starts the expiry sweep. Throws the store's errors. */
  static async open(options: PairingServiceOptions): Promise<PairingService> {
    const store = await PairingStore.open(options.path, { clock: options.clock });
    return new PairingService(store, options);
  }

  /** Changes the lifetime of requests created or refreshed from now on (config reload). */
  setPendingTtlMs(ms: number): void {
    this.#limits.pendingTtlMs = resolvePairingLimits({ pendingTtlMs: ms }).pendingTtlMs;
  }

  /** The paired record of `deviceId`, if any. */
  getPaired(deviceId: string): PairedDevice | undefined {
    const device = this.#state.current.paired[deviceId];
    return device === undefined ? undefined : toPublicDevice(device);
  }

  /** The paired record of `deviceId` as the handshake reads it (handshake-view.ts). */
  pairedForHandshake(deviceId: string): PairedDevice | undefined {
    const device = this.#state.current.paired[deviceId];
    return device === undefined ? undefined : this.#handshakeViews.of(device);
  }

  /**
   * Unexpired pending requests (oldest first), ignored devices (earliest first) and one
   * page of paired devices (earliest approval first, then device id): up to `limit`
   * (default and most {@link PAIRED_PAGE_LIMIT}) after `cursor`, the `nextCursor` of the
   * previous page. `nextCursor` is set when more devices follow. A device re-approved while
   * a caller pages moves to the end, so it is listed again rather than skipped.
   */
  list(query: PairedListQuery = {}): PairListPayload {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = this.#state.pairedPage(after, query.limit ?? PAIRED_PAGE_LIMIT);
    return {
      ignored: this.ignored.list(),
      pending: this.#state
        .livePending()
        .sort((a, b) => a.ts - b.ts)
        .map(copyPending),
      paired: page.devices.map(toPublicDevice),
      ...(page.next === undefined ? {} : { nextCursor: encodeCursor(page.next) }),
    };
  }

  /** How many unexpired requests wait for a person (tray badge, `status`). */
  pendingCount(): number {
    return this.#state.livePending().length;
  }

  /**
   * Records that a device wants to pair. A retry with the same role and scopes keeps its
   * requestId and gets a fresh TTL (`created: false`); anything else replaces the device's
   * earlier request. Past a cap: `PAIRING_LIMIT_REACHED` with `retryAfterMs`.
   */
  requestPairing(
    input: PairingRequestInput,
  ): Promise<{ request: PendingRequest; created: boolean }> {
    return this.#state.mutate((tx) => {
      const ttl = this.#limits.pendingTtlMs;
      const earlier = Object.values(tx.draft.pending).find(
        (request) => request.deviceId === input.deviceId,
      );
      if (earlier && earlier.role === input.role && sameScopes(earlier.scopes, input.scopes)) {
        earlier.expiresAtMs = tx.now + ttl;
        return { request: copyPending(earlier), created: false };
      }
      if (earlier) delete tx.draft.pending[earlier.requestId];
      this.#enforceCaps(tx, input.remoteIp);
      const request: PendingRequest = {
        requestId: uuidFromBytes(this.#random(16)),
        deviceId: input.deviceId,
        publicKey: input.publicKey,
        ...optionalMetadata(input),
        clientId: input.clientId,
        clientMode: input.clientMode,
        role: input.role,
        scopes: unique(input.scopes),
        remoteIp: input.remoteIp,
        reason: input.reason,
        isRepair: tx.draft.paired[input.deviceId] !== undefined,
        ts: tx.now,
        expiresAtMs: tx.now + ttl,
      };
      tx.draft.pending[request.requestId] = request;
      // The superseded request can no longer be approved; to a watcher it has expired.
      if (earlier) tx.announce(() => this.emit('resolved', resolution(earlier, 'expired', tx.now)));
      tx.announce(() => this.emit('requested', copyPending(request)));
      return { request: copyPending(request), created: true };
    });
  }

  /**
   * Approves a pending request, optionally naming the device and narrowing its scopes
   * ({@link ApproveOptions}); a repair merges the new role and scopes into the device.
   * NOT_FOUND, a widening `scopes` (INVALID_REQUEST) or a throw of `authorize` changes nothing.
   */
  approve(
    requestId: string,
    options: ApproveOptions = {},
  ): Promise<{ requestId: string; device: PairedDevice }> {
    return this.#state.mutate((tx) => {
      const request = takePending(tx.draft, requestId);
      const scopes = approvedScopes(request, options.scopes);
      // Inside the transaction: the scopes checked are exactly the ones written.
      options.authorize?.(scopes);
      const input = {
        ...request,
        scopes,
        ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
      };
      const approvedBy = options.approvedBy ?? 'operator';
      const device = toPublicDevice(applyApproval(tx.draft, input, approvedBy, tx.now));
      tx.announce(() => {
        this.emit('resolved', resolution(request, 'approved', tx.now));
        this.#announcePaired(device, approvedBy);
      });
      return { requestId, device };
    });
  }

  /** Pairs a local device at once (`approve-silently`): no pending record, only `paired`. */
  approveDirect(input: DirectApprovalInput): Promise<PairedDevice> {
    return this.#state.mutate((tx) => {
      const device = toPublicDevice(applyApproval(tx.draft, input, 'local-auto', tx.now));
      tx.announce(() => this.#announcePaired(device, 'local-auto'));
      return device;
    });
  }

  /**
   * {@link approveDirect} and the device's first token for `input.role` in one durable
   * write: a device's first local connect costs one fsync, not two.
   */
  approveDirectWithToken(
    input: DirectApprovalInput,
  ): Promise<{ device: PairedDevice; issuedToken: IssuedDeviceToken }> {
    return this.#state.mutate((tx) => {
      const stored = applyApproval(tx.draft, input, 'local-auto', tx.now);
      const issuedToken = replaceDeviceToken(stored, input.role, tx.now, this.#random);
      const device = toPublicDevice(stored);
      tx.announce(() => this.#announcePaired(device, 'local-auto'));
      return { device, issuedToken };
    });
  }

  /** Rejects a pending request. */
  reject(requestId: string): Promise<{ requestId: string; deviceId: string }> {
    return this.#state.mutate((tx) => {
      const request = takePending(tx.draft, requestId);
      tx.announce(() => this.emit('resolved', resolution(request, 'rejected', tx.now)));
      return { requestId, deviceId: request.deviceId };
    });
  }

  /** Unpairs a device; its pending requests are rejected with it. */
  remove(deviceId: string): Promise<{ deviceId: string }> {
    return this.#state.mutate((tx) => {
      getPaired(tx.draft, deviceId);
      delete tx.draft.paired[deviceId];
      for (const request of dropPendingOf(tx.draft, deviceId)) {
        tx.announce(() => this.emit('resolved', resolution(request, 'rejected', tx.now)));
      }
      tx.announce(() => this.emit('device-changed', { deviceId, change: 'removed' }));
      return { deviceId };
    });
  }

  /** Invalidates the device's tokens; it gets a new one by connecting with the shared secret. */
  rotateToken(deviceId: string): Promise<{ deviceId: string; rotatedAtMs: number }> {
    return this.#state.mutate((tx) => {
      for (const token of getPaired(tx.draft, deviceId).tokens) token.rotatedAtMs ??= tx.now;
      tx.announce(() => this.emit('device-changed', { deviceId, change: 'rotated' }));
      return { deviceId, rotatedAtMs: tx.now };
    });
  }

  /** Revokes the device's tokens at once. */
  revokeToken(deviceId: string): Promise<{ deviceId: string; revokedAtMs: number }> {
    return this.#state.mutate((tx) => {
      for (const token of getPaired(tx.draft, deviceId).tokens) token.revokedAtMs ??= tx.now;
      tx.announce(() => this.emit('device-changed', { deviceId, change: 'revoked' }));
      return { deviceId, revokedAtMs: tx.now };
    });
  }

  /**
   * Issues a new device token for an approved role, replacing the previous one. The token
   * is returned once; only its SHA-256 is stored.
   */
  issueDeviceToken(deviceId: string, role: string): Promise<IssuedDeviceToken> {
    return this.#state.mutate((tx) => {
      const device = getPaired(tx.draft, deviceId);
      if (!device.roles.includes(role))
        throw conflict(`device ${deviceId} is not approved for role ${role}`);
      return replaceDeviceToken(device, role, tx.now, this.#random);
    });
  }

  /**
   * True when `token` is the live device token of `deviceId` for `role` (constant time),
   * and then stamps the token's last use. The handshake calls it once per connect.
   */
  verifyAndStampDeviceToken(deviceId: string, role: string, token: string): boolean {
    const stored = liveDeviceToken(this.#state.current.paired[deviceId], role);
    if (stored === undefined || !tokenMatches(token, stored.hash)) return false;
    // In memory: persisted lazily (PairingState.stamp), so a connect costs no disk write.
    const now = this.#clock.now();
    this.#state.stamp(deviceId, () => (stored.lastUsedAtMs = now));
    return true;
  }

  /** Notes where and when an admitted device connected from (in memory now, on disk soon after). */
  recordSeen(deviceId: string, remoteIp: string): Promise<void> {
    // A stamp, not a transaction: every handshake calls this, and writing the whole store
    // (clone, serialise, fsync) each time capped the handshake rate (bench/README.md).
    return Promise.resolve().then(() => {
      getPaired(this.#state.current, deviceId);
      const now = this.#clock.now();
      this.#state.stamp(deviceId, (device) => {
        device.lastSeenAtMs = now;
        device.remoteIp = remoteIp;
      });
    });
  }

  /**
   * Drops requests whose TTL has passed, announcing each as expired, and expired invites;
   * returns how many requests.
   */
  async expireDue(): Promise<number> {
    if (!this.#state.hasExpired()) return 0;
    // A transaction that drops nothing writes nothing.
    return this.#state.mutate((tx) => tx.expired.length);
  }

  /** Stops the sweep and waits for writes in flight; later mutations reject. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#state.close();
  }

  /** Sets the name a person gave a paired device. */
  rename(deviceId: string, displayName: string): Promise<PairedDevice> {
    return this.#state.mutate((tx) => {
      const device = getPaired(tx.draft, deviceId);
      device.displayName = displayName;
      return toPublicDevice(device);
    });
  }

  #announcePaired(device: PairedDevice, approvedBy: ApprovedBy, inviteId?: string): void {
    this.emit('paired', { device, approvedBy, ...(inviteId === undefined ? {} : { inviteId }) });
  }

  #sweep(): void {
    this.expireDue().catch((error: unknown) => {
      if (!this.#state.closed)
        this.emit('write-failed', error instanceof Error ? error : new Error(String(error)));
    });
  }

  #enforceCaps(tx: Transaction, remoteIp: string): void {
    const live = Object.values(tx.draft.pending);
    const fromAddress = live.filter((request) => request.remoteIp === remoteIp);
    if (fromAddress.length >= this.#limits.maxPendingPerAddress)
      throw limitReached(fromAddress, tx.now);
    if (live.length >= this.#limits.maxPendingTotal) throw limitReached(live, tx.now);
  }
}
