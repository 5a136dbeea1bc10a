import { checkSharedSecret } from '../auth/auth-mode.js';
import type { FailedAuthLimiter, FailureTicket } from '../auth/rate-limiter.js';
import { isLoopback } from '../auth/ip.js';
import type { PairingService } from '../pairing/pairing-service.js';
import { decidePairing } from '../pairing/decide.js';
import type { PairedDevice } from '../pairing/types.js';
import type { Clock } from '../util/clock.js';
import type { AuthMode } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import type { ConnectParams } from '../../shared/protocol.js';
import { CLOSE, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { DEFAULT_SCOPES } from '../../shared/scopes.js';
import type { DeviceVerifier } from './device-verify.js';

/** The gateway's shared-secret settings; replaced as a whole on rotation or config reload. */
export interface GatewayAuth {
  mode: AuthMode;
  token?: string | undefined;
  password?: string | undefined;
}

/** What the upgrade learned about the peer, before any frame. */
export interface PeerContext {
  clientIp: string;
  isLocal: boolean;
  /** The request carried an Origin header (a browser). */
  browser: boolean;
  /** That Origin is one of the gateway's own origins. */
  ownOrigin: boolean;
  origin: string | undefined;
}

/** A successful handshake: who is connected and with what. */
export interface Admission {
  device: PairedDevice;
  role: string;
  scopes: string[];
  /** How the connection proved itself; `shared` ones close when the shared secret changes. */
  authMethod: 'shared' | 'device-token' | 'none';
  issuedToken?: { token: string; createdAtMs: number };
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

  async authenticate(params: ConnectParams, nonce: string, peer: PeerContext): Promise<Admission> {
    if (params.maxProtocol < PROTOCOL_VERSION || params.minProtocol > PROTOCOL_VERSION) {
      throw new GatewayError('INVALID_REQUEST', 'protocol mismatch', {
        details: { expectedProtocol: PROTOCOL_VERSION },
        closeCode: CLOSE.protocolMismatch,
      });
    }
    // Reserved before the first await: concurrent attempts past the limit are refused here,
    // never checked against a secret (PROTOCOL.md step 4).
    const limiterKey = this.#limiterKey(peer);
    const reservation =
      limiterKey === undefined ? undefined : this.#deps.limiter.reserve(limiterKey);
    if (reservation?.locked)
      throw GatewayError.of('AUTH_RATE_LIMITED', { retryAfterMs: reservation.retryAfterMs });
    const ticket = reservation?.ticket;
    const device = params.device;
    const role = params.role ?? 'operator';
    let authMethod: Admission['authMethod'];
    try {
      if (!device) throw GatewayError.of('DEVICE_IDENTITY_REQUIRED');
      await this.#deps.verifier.verify(params, device, nonce, this.#deps.clock.now());
      authMethod = this.#checkSharedAuth(params, device.id, role, ticket);
    } finally {
      // No secret was checked (a refused device proof): the slot goes back. A no-op once
      // the shared-auth step settled the ticket.
      ticket?.release();
    }
    const paired = this.#deps.pairing.getPaired(device.id);
    const scopes = [...(params.scopes ?? paired?.scopes ?? DEFAULT_SCOPES)];

    const decision = decidePairing({
      paired,
      role,
      scopes,
      isLocal: peer.isLocal,
      isBrowser: peer.browser,
      isOwnOrigin: peer.ownOrigin,
      autoApproveLocal: this.#deps.autoApproveLocal(),
    });
    const described = {
      deviceId: device.id,
      publicKey: device.publicKey,
      displayName: params.client.displayName,
      platform: params.client.platform,
      deviceFamily: params.client.deviceFamily,
      clientId: params.client.id,
      role,
      scopes,
    };
    let admitted: PairedDevice;
    if (decision.action === 'request') {
      const { request } = await this.#deps.pairing.requestPairing({
        ...described,
        clientMode: params.client.mode,
        remoteIp: peer.clientIp,
        reason: decision.reason,
      });
      throw GatewayError.of('PAIRING_REQUIRED', {
        details: { requestId: request.requestId, reason: decision.reason },
      });
    } else if (decision.action === 'approve-silently') {
      admitted = await this.#deps.pairing.approveDirect(described);
    } else {
      admitted = paired as PairedDevice;
    }

    const admission: Admission = { device: admitted, role, scopes, authMethod };
    if (needsNewDeviceToken(admitted, role, authMethod)) {
      admission.issuedToken = await this.#deps.pairing.issueDeviceToken(device.id, role);
    }
    await this.#deps.pairing.recordSeen(device.id, peer.clientIp);
    return admission;
  }

  /**
   * Step 4. Returns how the client authenticated; throws the precise refusal otherwise.
   * Every wrong secret presented is confirmed on `ticket` as a failure, also when another
   * credential admits the client; a missing one is not.
   *
   * A valid device token wins over the shared secret presented with it, right or wrong:
   * the admission, and so hello-ok (no new device token), is then the same either way, so
   * a paired device cannot use the handshake to learn whether a guessed secret was right.
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
      this.#deps.pairing.verifyDeviceToken(deviceId, role, deviceToken);
    if (auth.mode === 'none') {
      // Nothing is required; a valid device token still counts, so it is not replaced.
      return deviceTokenValid ? 'device-token' : 'none';
    }
    const shared = checkSharedSecret({ mode: auth.mode, expected: auth, presented });
    const sharedWrong = !shared.ok && shared.countsAsFailure;
    const deviceTokenWrong = deviceToken !== undefined && !deviceTokenValid;
    const wrong = Number(sharedWrong) + Number(deviceTokenWrong);
    if (wrong > 0) ticket?.confirm(wrong);
    else ticket?.release();
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
   * - `none` mode has no secret to guess;
   * - in `token` mode local loopback clients (and their browsers on the gateway's own
   *   origin): a 32-byte token cannot be guessed, and local tools must not lock each other
   *   out. A loopback browser on another allowed origin keeps a key of its own.
   * In `password` mode the whole loopback range is one key, Origin or not: any local
   * process can pick its 127.x address and forge an Origin, so neither may buy guesses.
   */
  #limiterKey(peer: PeerContext): string | undefined {
    const { mode } = this.#deps.auth();
    if (mode === 'none') return undefined;
    const loopback = isLoopback(peer.clientIp);
    if (loopback && mode === 'password') return 'loopback';
    if (loopback && peer.isLocal && (!peer.browser || peer.ownOrigin)) return undefined;
    const address = `ip:${peer.clientIp}`;
    return peer.browser && peer.origin ? `${address} origin:${peer.origin.toLowerCase()}` : address;
  }
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
  if (authMethod === 'shared') return true;
  const live = device.tokens.find(
    (token) =>
      token.role === role && token.rotatedAtMs === undefined && token.revokedAtMs === undefined,
  );
  return live === undefined || device.approvedAtMs > live.createdAtMs;
}
