import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { buildSignaturePayload, signedToken } from '../../shared/device-auth.js';
import { fromBase64Url } from '../../shared/base64url.js';
import { GatewayError } from '../../shared/errors.js';
import { roleOf, type ConnectParams, type DeviceProof } from '../../shared/protocol.js';
import { DEFAULT_LIMITS } from './limits.js';

const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/**
 * Verifies the device proof of handshake step 3, in PROTOCOL.md's order: id matches key,
 * signedAt within the skew, nonce equals the challenge, signature verifies. Public keys are
 * imported once and cached with the device id they imply (TOOLING.md: DER/JWK import per
 * handshake is the slow part; the id's SHA-256 need not be redone either).
 */
export class DeviceVerifier {
  /** Imported key and the device id it implies, by base64url public key. */
  readonly #keys = new Map<string, { key: KeyObject; id: string }>();
  readonly #skewMs: number;
  readonly #maxCachedKeys: number;

  constructor(options: { signatureSkewMs: number; maxCachedKeys?: number }) {
    this.#skewMs = options.signatureSkewMs;
    this.#maxCachedKeys = options.maxCachedKeys ?? DEFAULT_LIMITS.maxCachedDeviceKeys;
  }

  async verify(
    params: ConnectParams,
    device: DeviceProof,
    challengeNonce: string,
    nowMs: number,
    onEventLoop = false,
  ): Promise<void> {
    const known = this.#keys.get(device.publicKey);
    if (known === undefined) {
      const rawKey = fromBase64Url(device.publicKey);
      if (!rawKey || rawKey.length !== ED25519_KEY_BYTES)
        throw GatewayError.of('DEVICE_PUBLIC_KEY_INVALID');
      if (createHash('sha256').update(rawKey).digest('hex') !== device.id)
        throw GatewayError.of('DEVICE_ID_MISMATCH');
    } else if (known.id !== device.id) {
      throw GatewayError.of('DEVICE_ID_MISMATCH');
    }
    if (Math.abs(nowMs - device.signedAt) > this.#skewMs)
      throw GatewayError.of('DEVICE_SIGNATURE_EXPIRED');
    if (device.nonce !== challengeNonce) throw GatewayError.of('DEVICE_NONCE_MISMATCH');
    const signature = fromBase64Url(device.signature);
    if (!signature || signature.length !== ED25519_SIGNATURE_BYTES)
      throw GatewayError.of('DEVICE_SIGNATURE_INVALID');
    const payload = buildSignaturePayload({
      deviceId: device.id,
      clientId: params.client.id,
      clientMode: params.client.mode,
      role: roleOf(params),
      scopes: params.scopes ?? [],
      signedAtMs: device.signedAt,
      token: signedToken(params.auth),
      nonce: device.nonce,
      platform: params.client.platform,
      deviceFamily: params.client.deviceFamily,
    });
    const data = Buffer.from(payload, 'utf8');
    if (onEventLoop) {
      if (!verifySync(data, this.#publicKey(device), signature))
        throw GatewayError.of('DEVICE_SIGNATURE_INVALID');
      return;
    }
    // In libuv's thread pool: the ~0.1 ms of Ed25519 work per handshake then neither blocks
    // the event loop during a connect storm nor waits for it (bench/README.md).
    const valid = await new Promise<boolean>((resolve) => {
      try {
        verify(null, data, this.#publicKey(device), signature, (error, ok) =>
          resolve(!error && ok),
        );
      } catch {
        resolve(false);
      }
    });
    if (!valid) throw GatewayError.of('DEVICE_SIGNATURE_INVALID');
  }

  /** The imported key of a device whose id already matched its key; cached with that id. */
  #publicKey(device: DeviceProof): KeyObject {
    let known = this.#keys.get(device.publicKey);
    if (!known) {
      const key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: device.publicKey },
        format: 'jwk',
      });
      known = { key, id: device.id };
      if (this.#keys.size >= this.#maxCachedKeys) this.#keys.clear();
      this.#keys.set(device.publicKey, known);
    }
    return known.key;
  }
}

/** The synchronous verify; a malformed key or signature is a failed check, not a throw. */
function verifySync(data: Buffer, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
