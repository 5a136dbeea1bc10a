import { checkSharedSecret } from '../auth/auth-mode.js';
import type { FailedAuthLimiter } from '../auth/rate-limiter.js';
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
    const limiterKey = this.#limiterKey(peer);
    if (limiterKey !== undefined) {
      const state = this.#deps.limiter.check(limiterKey);
      if (state.locked)
        throw GatewayError.of('AUTH_RATE_LIMITED', { retryAfterMs: state.retryAfterMs });
    }
    const device = params.device;
    if (!device) throw GatewayError.of('DEVICE_IDENTITY_REQUIRED');
    await this.#deps.verifier.verify(params, device, nonce, this.#deps.clock.now());

    const role = params.role ?? 'operator';
    const paired = this.#deps.pairing.getPaired(device.id);
    const authMethod = this.#checkSharedAuth(params, role, limiterKey);
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

  /** Step 4. Returns how the client authenticated; throws the precise refusal otherwise. */
  #checkSharedAuth(
    params: ConnectParams,
    role: string,
    limiterKey: string | undefined,
  ): Admission['authMethod'] {
    const auth = this.#deps.auth();
    const presented = params.auth ?? {};
    if (auth.mode === 'none') {
      // Nothing is required; a valid device token still counts, so it is not replaced.
      const deviceId = params.device?.id ?? '';
      const valid =
        presented.deviceToken !== undefined &&
        this.#deps.pairing.verifyDeviceToken(deviceId, role, presented.deviceToken);
      return valid ? 'device-token' : 'none';
    }
    const sharedPresented = auth.mode === 'token' ? presented.token : presented.password;
    if (!sharedPresented && presented.deviceToken) {
      const deviceId = params.device?.id ?? '';
      if (this.#deps.pairing.verifyDeviceToken(deviceId, role, presented.deviceToken))
        return 'device-token';
      this.#recordFailure(limiterKey);
      throw GatewayError.of('AUTH_DEVICE_TOKEN_MISMATCH');
    }
    const result = checkSharedSecret({ mode: auth.mode, expected: auth, presented });
    if (result.ok) return 'shared';
    // "the shared secret or a valid device token": a device whose copy of the shared secret
    // is stale (e.g. after a rotation) still gets in with its own valid device token.
    const deviceId = params.device?.id ?? '';
    if (
      presented.deviceToken &&
      this.#deps.pairing.verifyDeviceToken(deviceId, role, presented.deviceToken)
    ) {
      return 'device-token';
    }
    if (result.countsAsFailure) this.#recordFailure(limiterKey);
    throw GatewayError.of(result.detailCode);
  }

  #recordFailure(limiterKey: string | undefined): void {
    if (limiterKey !== undefined) this.#deps.limiter.recordFailure(limiterKey);
  }

  /**
   * Browser connections are keyed by Origin, others by client address. Non-browser loopback
   * clients are exempt in token mode only: a 32-byte token cannot be guessed, and local
   * tools must not lock each other out.
   */
  #limiterKey(peer: PeerContext): string | undefined {
    if (peer.browser && peer.origin) return `origin:${peer.origin.toLowerCase()}`;
    if (this.#deps.auth().mode === 'token' && peer.isLocal && isLoopback(peer.clientIp))
      return undefined;
    return `ip:${peer.clientIp}`;
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
