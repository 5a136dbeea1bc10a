import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PairListPayload } from '../../shared/protocol.js';
import { DeviceTokens, replaceDeviceToken, type IssuedDeviceToken } from './device-tokens.js';
import { HandshakeViews } from './handshake-view.js';
import { decodeCursor, encodeCursor } from './paired-index.js';
import { PAIRED_PAGE_LIMIT, resolvePairingLimits, type PairingLimits } from './pairing-limits.js';
import { PairingState } from './pairing-state.js';
import { PairingStore } from './pairing-store.js';
import { IgnoreList } from './ignored.js';
import { InviteBook } from './invites.js';
import {
  addPending,
  applyApproval,
  approvalCovers,
  approvedScopes,
  copyPending,
  dropPendingOf,
  resolution,
  sameScopes,
  settleCoveredPending,
  getPaired,
  takePending,
  toPublicDevice,
} from './records.js';
import type {
  ApprovedBy,
  ApproveOptions,
  DirectApprovalInput,
  PairedDevice,
  PairedListQuery,
  PairingRequestInput,
  PairingResolvedEvent,
  PairingServiceEvents,
  PairingServiceOptions,
  PendingRequest,
  StoredPairedDevice,
} from './types.js';
import type { Transaction } from './pairing-state.js';

export type { PairingServiceOptions } from './types.js';

/** What {@link PairingService.fileRequest} did. */
export type FiledRequest =
  | { kind: 'requested'; request: PendingRequest; created: boolean }
  | { kind: 'ignored'; requestId: string }
  | { kind: 'covered' };

/**
 * Pending pairing requests and paired devices, persisted in `devices.json`. Every mutation
 * runs one at a time, is written durably before its promise resolves, and only then
 * becomes visible and announced.
 */
export class PairingService extends EventEmitter<PairingServiceEvents> {
  readonly #state: PairingState;
  readonly #random: (size: number) => Uint8Array;
  readonly #limits: PairingLimits;
  readonly #timer: NodeJS.Timeout;
  readonly #handshakeViews = new HandshakeViews();
  readonly #tokens: DeviceTokens;
  /** Invites: single-use codes that pair a device at once. */
  readonly invites: InviteBook;
  /** Devices whose requests a person chose to ignore. */
  readonly ignored: IgnoreList;

  private constructor(store: PairingStore, options: PairingServiceOptions) {
    super();
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
      clock: options.clock,
      random: this.#random,
      maxLive: () => this.#limits.maxLiveInvites,
      onResolved,
      onPaired: (device, inviteId) => this.#announcePaired(device, 'invite', inviteId),
    });
    this.ignored = new IgnoreList(this.#state, onResolved);
    this.#tokens = new DeviceTokens(this.#state, {
      clock: options.clock,
      random: this.#random,
      onChanged: (event) => this.emit('device-changed', event),
    });
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
    return this.#state.mutate((tx) => this.#file(tx, input));
  }

  /**
   * {@link requestPairing} for the handshake, which decided on state read before this
   * transaction: an ignore or an approval that landed in between wins. An ignored device
   * gets no request (`ignored`, its ignored requestId); one now paired for what it asks
   * gets none either (`covered`: admit it).
   */
  fileRequest(input: PairingRequestInput): Promise<FiledRequest> {
    return this.#state.mutate((tx): FiledRequest => {
      const ignored = tx.draft.ignored[input.deviceId];
      if (ignored) return { kind: 'ignored', requestId: ignored.requestId };
      const paired = tx.draft.paired[input.deviceId];
      if (paired && approvalCovers(paired, input)) return { kind: 'covered' };
      return { kind: 'requested', ...this.#file(tx, input) };
    });
  }

  #file(
    tx: Transaction,
    input: PairingRequestInput,
  ): { request: PendingRequest; created: boolean } {
    {
      const earlier = Object.values(tx.draft.pending).find(
        (request) => request.deviceId === input.deviceId,
      );
      if (earlier && earlier.role === input.role && sameScopes(earlier.scopes, input.scopes)) {
        earlier.expiresAtMs = tx.now + this.#limits.pendingTtlMs;
        // Paired since (e.g. by an invite that gave less): the same ask is now an upgrade.
        earlier.reason = input.reason;
        earlier.isRepair = tx.draft.paired[input.deviceId] !== undefined;
        return { request: copyPending(earlier), created: false };
      }
      if (earlier) delete tx.draft.pending[earlier.requestId];
      const request = addPending(tx.draft, input, tx.now, this.#limits, this.#random);
      // The superseded request can no longer be approved; to a watcher it has expired.
      if (earlier) tx.announce(() => this.emit('resolved', resolution(earlier, 'expired', tx.now)));
      tx.announce(() => this.emit('requested', copyPending(request)));
      return { request: copyPending(request), created: true };
    }
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

  /**
   * Drops the device's pending requests that `device` now covers (it was paired some other
   * way, e.g. locally through an SSH tunnel): they can no longer be approved, so to a
   * watcher they have expired, as with an invite. One asking for more still waits.
   */
  #settleCovered(tx: Transaction, device: StoredPairedDevice): void {
    for (const request of settleCoveredPending(tx.draft, device))
      tx.announce(() => this.emit('resolved', resolution(request, 'expired', tx.now)));
  }

  /** Pairs a local device at once (`approve-silently`): no pending record, only `paired`. */
  approveDirect(input: DirectApprovalInput): Promise<PairedDevice> {
    return this.#state.mutate((tx) => {
      const stored = applyApproval(tx.draft, input, 'local-auto', tx.now);
      this.#settleCovered(tx, stored);
      const device = toPublicDevice(stored);
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
      this.#settleCovered(tx, stored);
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

  /** Invalidates the device's tokens ({@link DeviceTokens.rotate}). */
  rotateToken(deviceId: string): Promise<{ deviceId: string; rotatedAtMs: number }> {
    return this.#tokens.rotate(deviceId);
  }

  /** Revokes the device's tokens at once ({@link DeviceTokens.revoke}). */
  revokeToken(deviceId: string): Promise<{ deviceId: string; revokedAtMs: number }> {
    return this.#tokens.revoke(deviceId);
  }

  /** A new device token for an approved role, returned once ({@link DeviceTokens.issue}). */
  issueDeviceToken(deviceId: string, role: string): Promise<IssuedDeviceToken> {
    return this.#tokens.issue(deviceId, role);
  }

  /** Checks and stamps a device token, once per connect ({@link DeviceTokens.verifyAndStamp}). */
  verifyAndStampDeviceToken(deviceId: string, role: string, token: string): boolean {
    return this.#tokens.verifyAndStamp(deviceId, role, token);
  }

  /** Notes where and when an admitted device connected from ({@link DeviceTokens.recordSeen}). */
  recordSeen(deviceId: string, remoteIp: string): Promise<void> {
    return this.#tokens.recordSeen(deviceId, remoteIp);
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
}
