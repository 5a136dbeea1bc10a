/**
 * Invites (DESIGN.md "Remote devices"): single-use codes that pair a device at once. The
 * store keeps only the SHA-256 of a code; a used or revoked invite is deleted and an
 * expired one swept, so "stored" means "live until `expiresAtMs`". Pure functions on the
 * store data; {@link PairingService} runs them inside its transactions.
 */
import { timingSafeEqual } from 'node:crypto';
import { GatewayError, notFound, rateLimited } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';
import type { PairingState } from './pairing-state.js';
import {
  applyApproval,
  hashToken,
  resolution,
  settleCoveredPending,
  toPublicDevice,
  unique,
  uuidFromBytes,
} from './records.js';
import type {
  DirectApprovalInput,
  InviteInfo,
  PairedDevice,
  PairingResolvedEvent,
  PairingStoreData,
  PendingRequest,
  StoredInvite,
  StoredPairedDevice,
} from './types.js';

/** Random bytes in an invite code: 128 bits, 22 base64url characters. */
export const INVITE_CODE_BYTES = 16;

/** What a new invite grants and for how long. */
export interface InviteInput {
  role: string;
  scopes: readonly string[];
  ttlMs: number;
  label?: string | undefined;
}

/** What an {@link InviteBook} needs besides the state. */
export interface InviteBookDeps {
  clock: Clock;
  random: (size: number) => Uint8Array;
  /** `PairingLimits.maxLiveInvites`. */
  maxLive: () => number;
  /** Announces a pending request the invite made moot. */
  onResolved: (event: PairingResolvedEvent) => void;
  /** Announces the device an invite paired, naming the invite it spent. */
  onPaired: (device: PairedDevice, inviteId: string) => void;
}

/** The invites of {@link PairingService}, changed through its transactions. */
export class InviteBook {
  readonly #state: PairingState;
  readonly #deps: InviteBookDeps;

  constructor(state: PairingState, deps: InviteBookDeps) {
    this.#state = state;
    this.#deps = deps;
  }

  /** Makes an invite; its code is returned this once, only its SHA-256 is stored. */
  create(input: InviteInput): Promise<{ invite: InviteInfo; code: string }> {
    return this.#state.mutate((tx) => {
      const { random, maxLive } = this.#deps;
      const made = mintInvite(tx.draft, input, { now: tx.now, random, maxLive: maxLive() });
      return { invite: toInviteInfo(made.invite), code: made.code };
    });
  }

  /** Open invites, oldest first, without their codes. */
  list(): InviteInfo[] {
    return liveInvites(this.#state.current, this.#deps.clock.now()).map(toInviteInfo);
  }

  /** Deletes an open invite, so its code pairs nothing; NOT_FOUND when there is none. */
  revoke(inviteId: string): Promise<{ inviteId: string }> {
    return this.#state.mutate((tx) => {
      takeInvite(tx.draft, inviteId);
      return { inviteId };
    });
  }

  /** The live invite `code` opens, if any (handshake step 4: constant time, no write). */
  find(code: string): InviteInfo | undefined {
    const invite = findInvite(this.#state.current, code, this.#deps.clock.now());
    return invite === undefined ? undefined : toInviteInfo(invite);
  }

  /**
   * Spends the invite `code` opens and pairs the device with its role and scopes in one
   * durable write (`approvedBy: "invite"`). INVITE_INVALID when it is no longer live.
   */
  redeem(code: string, input: InviteRedemption): Promise<PairedDevice> {
    return this.#state.mutate((tx) => {
      const { device, settled, inviteId } = redeemInvite(tx.draft, code, input, tx.now);
      const paired = toPublicDevice(device);
      // Like a superseded request (requestPairing): it can no longer be approved, so to a
      // watcher it has expired; the device's pairing is announced as `paired`.
      for (const request of settled)
        tx.announce(() => this.#deps.onResolved(resolution(request, 'expired', tx.now)));
      tx.announce(() => this.#deps.onPaired(paired, inviteId));
      return paired;
    });
  }
}

/** The error for an unknown, used, revoked or expired code (PROTOCOL.md `INVITE_INVALID`). */
export function inviteInvalid(): GatewayError {
  return GatewayError.of('INVITE_INVALID');
}

/** The public view of an invite: no code, no hash. */
export function toInviteInfo(invite: StoredInvite): InviteInfo {
  const { codeHash: _codeHash, scopes, ...rest } = invite;
  return { ...rest, scopes: [...scopes] };
}

/** An invite is unusable from the instant `expiresAtMs` is reached. */
export function inviteExpired(invite: StoredInvite, now: number): boolean {
  return now >= invite.expiresAtMs;
}

/** Invites still usable at `now`, oldest first. */
export function liveInvites(data: PairingStoreData, now: number): StoredInvite[] {
  return Object.values(data.invites)
    .filter((invite) => !inviteExpired(invite, now))
    .sort((a, b) => a.createdAtMs - b.createdAtMs);
}

/** Removes invites whose time is up at `now`; returns them. */
export function dropExpiredInvites(data: PairingStoreData, now: number): StoredInvite[] {
  const expired = Object.values(data.invites).filter((invite) => inviteExpired(invite, now));
  for (const invite of expired) delete data.invites[invite.inviteId];
  return expired;
}

/**
 * Adds an invite to `data` and returns it with its code, the only time the code exists
 * outside the device that uses it. Past `maxLive` open invites: RATE_LIMITED until the
 * oldest expires, so a pairing-scoped client cannot fill the store.
 */
export function mintInvite(
  data: PairingStoreData,
  input: InviteInput,
  context: { now: number; random: (size: number) => Uint8Array; maxLive: number },
): { invite: StoredInvite; code: string } {
  const { now, random, maxLive } = context;
  const live = liveInvites(data, now);
  const oldest = live[0];
  if (oldest !== undefined && live.length >= maxLive) {
    throw rateLimited(
      `too many open invites (${maxLive}): revoke one (special-agent devices invite-revoke <inviteId>) or wait for one to expire`,
      Math.max(0, oldest.expiresAtMs - now),
    );
  }
  const code = Buffer.from(random(INVITE_CODE_BYTES)).toString('base64url');
  const invite: StoredInvite = {
    inviteId: uuidFromBytes(random(16)),
    codeHash: hashToken(code),
    ...(input.label === undefined ? {} : { label: input.label }),
    role: input.role,
    scopes: unique(input.scopes),
    createdAtMs: now,
    expiresAtMs: now + input.ttlMs,
  };
  data.invites[invite.inviteId] = invite;
  return { invite, code };
}

/**
 * The live invite `code` opens, or undefined. Every stored hash is compared in constant
 * time, and all of them are, so the time taken says nothing about which one matched.
 */
export function findInvite(
  data: PairingStoreData,
  code: string,
  now: number,
): StoredInvite | undefined {
  const presented = Buffer.from(hashToken(code), 'hex');
  let found: StoredInvite | undefined;
  for (const invite of Object.values(data.invites)) {
    const stored = Buffer.from(invite.codeHash, 'hex');
    const match = stored.length === presented.length && timingSafeEqual(stored, presented);
    if (match && !inviteExpired(invite, now)) found = invite;
  }
  return found;
}

/** Removes and returns the invite `inviteId`, or throws NOT_FOUND naming the CLI to list them. */
export function takeInvite(data: PairingStoreData, inviteId: string): StoredInvite {
  const invite = Object.hasOwn(data.invites, inviteId) ? data.invites[inviteId] : undefined;
  if (invite === undefined) {
    throw notFound(
      `invite ${inviteId} not found, used or expired (run \`special-agent devices invites\` to see open invites)`,
    );
  }
  delete data.invites[inviteId];
  return invite;
}

/** The device that presents an invite; its role and scopes come from the invite. */
export type InviteRedemption = Omit<DirectApprovalInput, 'role' | 'scopes'>;

/**
 * Uses the invite `code` opens for `input`'s device, in one change of `data`: the invite is
 * deleted (spent), the device is paired with the invite's role and scopes (merged into an
 * earlier approval, like a repair) and no longer ignored, and its pending requests that the
 * new record covers are dropped (returned as `settled`). Throws INVITE_INVALID when the code opens no live invite,
 * e.g. because a concurrent connect spent it first. `inviteId` names the invite spent.
 */
export function redeemInvite(
  data: PairingStoreData,
  code: string,
  input: InviteRedemption,
  now: number,
): { device: StoredPairedDevice; settled: PendingRequest[]; inviteId: string } {
  const invite = findInvite(data, code, now);
  if (invite === undefined) throw inviteInvalid();
  delete data.invites[invite.inviteId];
  delete data.ignored[input.deviceId];
  const device = applyApproval(
    data,
    { ...input, role: invite.role, scopes: invite.scopes },
    'invite',
    now,
  );
  // A request asking for more than the invite gave still waits for a person.
  const settled = settleCoveredPending(data, device);
  return { device, settled, inviteId: invite.inviteId };
}
