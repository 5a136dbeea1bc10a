import { checkSharedSecret } from '../auth/auth-mode.js';
import type { FailedAuthLimiter, FailureTicket } from '../auth/rate-limiter.js';
import { failureKeyOf, isLoopback } from '../auth/ip.js';
import type { IssuedDeviceToken } from '../pairing/device-tokens.js';
import type { PairingService } from '../pairing/pairing-service.js';
import { decidePairing, type PairingDecision } from '../pairing/decide.js';
import type { PairedDevice, PairingRequestInput } from '../pairing/types.js';
import type { Clock } from '../util/clock.js';
import type { AuthMode } from '../../shared/config-schema.js';
import { GatewayError, pairingRequired } from '../../shared/errors.js';
import type { ConnectParams } from '../../shared/protocol.js';
import { CLOSE, PROTOCOL_VERSION, roleOf } from '../../shared/protocol.js';
import { DEFAULT_SCOPES, scopesCover } from '../../shared/scopes.js';
import type { DeviceVerifier } from './device-verify.js';
import type { Admission, PeerContext } from './peer.js';

/** The gateway's shared-secret settings; replaced as a whole on rotation or config reload. */
export interface GatewayAuth {
  mode: AuthMode;
  token?: string | undefined;
  password?: string | undefined;
}

export interface AuthenticatorDeps {
  auth: () => GatewayAuth;
  autoApproveLocal: () => boolean;
  pairing: PairingService;
  limiter: FailedAuthLimiter;
  verifier: DeviceVerifier;
  clock: Clock;
}

/**
 * Handshake steps 2–5 of PROTOCOL.md, in its order: version, failed-secret lockout, device
 * identity, shared auth, pairing. Every refusal is a GatewayError carrying its close code.
 */
export class Authenticator {
  readonly #deps: AuthenticatorDeps;

  constructor(deps: AuthenticatorDeps) {
    this.#deps = deps;
  }

  /**
   * `verifyOnEventLoop`: the caller knows no other handshake is under way, so the signature
   * is checked on the event loop (the thread-pool hop would cost this lone handshake more
   * than the 63 µs verify); otherwise in the thread pool, so a storm never blocks the loop.
   */
  async authenticate(
    params: ConnectParams,
    nonce: string,
    peer: PeerContext,
    options: { verifyOnEventLoop?: boolean } = {},
  ): Promise<Admission> {
    if (params.maxProtocol < PROTOCOL_VERSION || params.minProtocol > PROTOCOL_VERSION) {
      throw new GatewayError('INVALID_REQUEST', 'protocol mismatch', {
        details: { expectedProtocol: PROTOCOL_VERSION },
        closeCode: CLOSE.protocolMismatch,
      });
    }
    // Reserved before the first await: concurrent attempts past the limit are refused here,
    // never checked against a secret (PROTOCOL.md step 4).
    const limiterKey = this.#limiterKey(peer, params);
    const reservation =
      limiterKey === undefined ? undefined : this.#deps.limiter.reserve(limiterKey);
    if (reservation?.locked)
      throw GatewayError.of('AUTH_RATE_LIMITED', { retryAfterMs: reservation.retryAfterMs });
    const ticket = reservation?.ticket;
    const device = params.device;
    const role = roleOf(params);
    let authMethod: Admission['authMethod'];
    try {
      if (!device) throw GatewayError.of('DEVICE_IDENTITY_REQUIRED');
      const now = this.#deps.clock.now();
      await this.#deps.verifier.verify(params, device, nonce, now, options.verifyOnEventLoop);
      authMethod = this.#checkSharedAuth(params, device.id, role, ticket);
    } finally {
      // No secret was checked (a refused device proof): the slot goes back. A no-op once
      // the shared-auth step settled the ticket.
      ticket?.release();
    }
    const described: Omit<PairingRequestInput, 'scopes' | 'reason'> = {
      deviceId: device.id,
      publicKey: device.publicKey,
      displayName: params.client.displayName,
      platform: params.client.platform,
      deviceFamily: params.client.deviceFamily,
      clientId: params.client.id,
      clientMode: params.client.mode,
      role,
      remoteIp: peer.clientIp,
    };
    const paired: PairOutcome =
      authMethod === 'invite'
        ? await this.#pairByInvite(params.auth?.bootstrapToken ?? '', described, params.scopes)
        : await this.#pair(described, params.scopes, peer);

    const admission: Admission = {
      device: paired.device,
      role,
      scopes: paired.scopes,
      authMethod,
    };
    if (paired.issuedToken) {
      admission.issuedToken = paired.issuedToken;
    } else if (needsNewDeviceToken(paired.device, role, authMethod)) {
      admission.issuedToken = await this.#deps.pairing.issueDeviceToken(device.id, role);
    }
    await this.#deps.pairing.recordSeen(device.id, peer.clientIp);
    return admission;
  }

  /** Step 5 without an invite: admit, pair silently, or make a request for a person. */
  async #pair(
    described: Omit<PairingRequestInput, 'scopes' | 'reason'>,
    requested: readonly string[] | undefined,
    peer: PeerContext,
  ): Promise<PairOutcome> {
    const paired = this.#deps.pairing.pairedForHandshake(described.deviceId);
    const scopes = [...(requested ?? paired?.scopes ?? DEFAULT_SCOPES)];
    const decision = decidePairing({
      paired,
      role: described.role,
      scopes,
      isLocal: peer.isLocal,
      isBrowser: peer.browser,
      isOwnOrigin: peer.ownOrigin,
      autoApproveLocal: this.#deps.autoApproveLocal(),
    });
    if (decision.action === 'admit') return { device: paired as PairedDevice, scopes };
    this.#refuseIfIgnored(described.deviceId, decision);
    if (decision.action === 'approve-silently') {
      // Paired and given its first token in one durable write (PROTOCOL.md step 6).
      const { clientMode: _mode, remoteIp: _ip, ...direct } = described;
      const approved = await this.#deps.pairing.approveDirectWithToken({ ...direct, scopes });
      return { ...approved, scopes };
    }
    const filed = await this.#deps.pairing.fileRequest({
      ...described,
      scopes,
      reason: decision.reason,
    });
    if (filed.kind === 'requested') throw pairingRequired(filed.request.requestId, decision.reason);
    if (filed.kind === 'ignored') throw pairingRequired(filed.requestId, decision.reason);
    // Approved for what it asks while this connect was checked: in, as after any approval.
    return {
      device: this.#deps.pairing.pairedForHandshake(described.deviceId) as PairedDevice,
      scopes,
    };
  }

  /**
   * Step 5 with an invite: the device is paired at once with the invite's role and scopes,
   * the invite spent in the same write. A device that asked for more gets a pending
   * request for it and, meanwhile, a connection with what the invite granted: refusing it
   * would leave it with neither a device token nor a usable invite.
   */
  async #pairByInvite(
    code: string,
    described: Omit<PairingRequestInput, 'scopes' | 'reason'>,
    requested: readonly string[] | undefined,
  ): Promise<{ device: PairedDevice; scopes: string[] }> {
    const { clientMode: _mode, remoteIp: _ip, role: _role, ...redemption } = described;
    const device = await this.#deps.pairing.invites.redeem(code, redemption);
    const scopes = [...(requested ?? device.scopes)];
    const rest = decidePairing({
      paired: device,
      role: described.role,
      scopes,
      isLocal: false,
      isBrowser: false,
      isOwnOrigin: false,
      autoApproveLocal: false,
    });
    if (rest.action !== 'request') return { device, scopes };
    const request = await this.#deps.pairing
      .requestPairing({ ...described, scopes, reason: rest.reason })
      .then(
        ({ request: made }) => made,
        (error: unknown) => {
          // Past the pending caps the device keeps what the invite gave; it can ask again.
          if (error instanceof GatewayError && error.details?.code === 'PAIRING_LIMIT_REACHED')
            return undefined;
          throw error;
        },
      );
    if (rest.reason === 'role-upgrade') {
      throw pairingRequired(request?.requestId, rest.reason);
    }
    return { device, scopes: scopes.filter((scope) => scopesCover(device.scopes, [scope])) };
  }

  /**
   * An ignored device is answered like a pending one (with the id of its ignored request)
   * but makes no request and no event, so it cannot tell, and nobody is disturbed.
   */
  #refuseIfIgnored(deviceId: string, decision: Exclude<PairingDecision, { action: 'admit' }>) {
    const requestId = this.#deps.pairing.ignored.requestIdOf(deviceId);
    if (requestId === undefined) return;
    const reason = decision.action === 'request' ? decision.reason : 'not-paired';
    throw pairingRequired(requestId, reason);
  }

  /**
   * Step 4. Returns how the client authenticated; throws the precise refusal otherwise.
   * Every wrong secret presented is confirmed on `ticket` as a failure, also when another
   * credential admits the client; a missing one is not.
   *
   * A valid device token wins over the shared secret presented with it, right or wrong:
   * the admission, and so hello-ok (no new device token), is then the same either way, so
   * a paired device cannot use the handshake to learn whether a guessed secret was right.
   *
   * A presented invite (`bootstrapToken`) is what the client came for, in every mode: a
   * live one admits it, a bad one (unknown, used, revoked, expired) is refused with
   * INVITE_INVALID even when another credential would admit it, so a setup link opened
   * twice says so instead of quietly doing something else.
   */
  #checkSharedAuth(
    params: ConnectParams,
    deviceId: string,
    role: string,
    ticket: FailureTicket | undefined,
  ): Admission['authMethod'] {
    const auth = this.#deps.auth();
    const presented = params.auth ?? {};
    const deviceToken = presented.deviceToken === '' ? undefined : presented.deviceToken;
    const deviceTokenValid =
      deviceToken !== undefined &&
      this.#deps.pairing.verifyAndStampDeviceToken(deviceId, role, deviceToken);
    const invite = presented.bootstrapToken === '' ? undefined : presented.bootstrapToken;
    const inviteValid =
      invite !== undefined && this.#deps.pairing.invites.find(invite) !== undefined;
    const inviteWrong = invite !== undefined && !inviteValid;
    if (auth.mode === 'none') {
      if (inviteWrong) {
        ticket?.confirm(1);
        throw GatewayError.of('INVITE_INVALID');
      }
      if (inviteValid) return 'invite';
      // Nothing is required; a valid device token still counts, so it is not replaced.
      return deviceTokenValid ? 'device-token' : 'none';
    }
    const shared = checkSharedSecret({ mode: auth.mode, expected: auth, presented });
    const sharedWrong = !shared.ok && shared.countsAsFailure;
    const deviceTokenWrong = deviceToken !== undefined && !deviceTokenValid;
    const wrong = Number(sharedWrong) + Number(deviceTokenWrong) + Number(inviteWrong);
    if (wrong > 0) ticket?.confirm(wrong);
    else ticket?.release();
    if (inviteWrong) throw GatewayError.of('INVITE_INVALID');
    if (inviteValid) return 'invite';
    // "the shared secret or a valid device token": a device whose copy of the shared secret
    // is stale (e.g. after a rotation) still gets in with its own valid device token.
    if (deviceTokenValid) return 'device-token';
    if (shared.ok) return 'shared';
    if (deviceTokenWrong && !sharedWrong) throw GatewayError.of('AUTH_DEVICE_TOKEN_MISMATCH');
    throw GatewayError.of(shared.detailCode);
  }

  /**
   * DESIGN.md "Failed secrets": the key is the client address, plus the Origin for
   * browsers, so a client can only lock out its own key (a forged Origin from elsewhere
   * cannot lock the owner's Control UI). `undefined` means exempt:
   * - in `none` mode a connect presenting no invite code (nothing to guess; else keyed as
   *   in password mode, since every wrong secret counts);
   * - in `token` mode local loopback clients (and their browsers on the gateway's own
   *   origin): a 32-byte token cannot be guessed, and local tools must not lock each other
   *   out. A loopback browser on another allowed origin keeps a key of its own.
   * In `password` mode the whole loopback range is one key, Origin or not: any local
   * process can pick its 127.x address and forge an Origin, so neither may buy guesses.
   */
  #limiterKey(peer: PeerContext, params: ConnectParams): string | undefined {
    const { mode } = this.#deps.auth();
    if (mode === 'none' && params.auth?.bootstrapToken === undefined) return undefined;
    const loopback = isLoopback(peer.clientIp);
    if (loopback && mode !== 'token') return 'loopback';
    if (loopback && peer.isLocal && (!peer.browser || peer.ownOrigin)) return undefined;
    const address = `ip:${failureKeyOf(peer.clientIp)}`;
    return peer.browser && peer.origin ? `${address} origin:${peer.origin.toLowerCase()}` : address;
  }
}

/** What step 5 admitted: the device, its scopes, and its token when step 5 already issued it. */
interface PairOutcome {
  device: PairedDevice;
  scopes: string[];
  issuedToken?: IssuedDeviceToken;
}

/**
 * PROTOCOL.md step 6: a token is issued on the first connect after an approval (including
 * an approved upgrade, so the device learns its new scopes) and whenever the device proved
 * itself with the shared secret instead of its device token. In `none` mode there is no
 * shared secret, so a device keeps its live token.
 */
function needsNewDeviceToken(
  device: PairedDevice,
  role: string,
  authMethod: Admission['authMethod'],
): boolean {
  // An invite stands in for the shared secret: the device has no token of its own yet.
  if (authMethod === 'shared' || authMethod === 'invite') return true;
  const live = device.tokens.find(
    (token) =>
      token.role === role && token.rotatedAtMs === undefined && token.revokedAtMs === undefined,
  );
  return live === undefined || device.approvedAtMs > live.createdAtMs;
}
