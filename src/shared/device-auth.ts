/**
 * The device signature of PROTOCOL.md handshake step 3, and a WebCrypto Ed25519 device
 * identity usable in the browser (non-extractable key in IndexedDB) and in Node.
 */
import { fromBase64Url, toBase64Url, toHex } from './base64url.js';

export interface SignaturePayloadInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  token: string;
  nonce: string;
  platform?: string | undefined;
  deviceFamily?: string | undefined;
}

/** ASCII-only lower-casing, so the payload never depends on the signer's locale. */
function normalizeField(value: string | undefined): string {
  return (value ?? '').trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** `v3|<device.id>|<client.id>|<mode>|<role>|<scopes>|<signedAt>|<token>|<nonce>|<platform>|<deviceFamily>` */
export function buildSignaturePayload(input: SignaturePayloadInput): string {
  return [
    'v3',
    input.deviceId,
    input.clientId,
    input.clientMode,
    input.role,
    input.scopes.join(','),
    String(input.signedAtMs),
    input.token,
    input.nonce,
    normalizeField(input.platform),
    normalizeField(input.deviceFamily),
  ].join('|');
}

/** The credentials of `connect` whose value the signature covers (never the password). */
export interface SignedCredentials {
  token?: string | undefined;
  deviceToken?: string | undefined;
  bootstrapToken?: string | undefined;
}

/** `<token>` of the payload: `auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? ""`. */
export function signedToken(auth: SignedCredentials | undefined): string {
  return auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken ?? '';
}

/** Lowercase hex SHA-256 of the raw 32-byte public key. */
export async function deviceIdFromPublicKey(
  subtle: SubtleCrypto,
  rawPublicKey: Uint8Array,
): Promise<string> {
  const digest = await subtle.digest('SHA-256', rawPublicKey as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

/** A device key pair able to sign handshake payloads. */
export interface DeviceIdentity {
  readonly deviceId: string;
  /** base64url of the raw 32-byte key */
  readonly publicKey: string;
  sign(payload: string): Promise<string>;
}

/** Wraps a WebCrypto key pair. */
export async function identityFromKeyPair(
  subtle: SubtleCrypto,
  keys: CryptoKeyPair,
): Promise<DeviceIdentity> {
  const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey));
  const deviceId = await deviceIdFromPublicKey(subtle, raw);
  return {
    deviceId,
    publicKey: toBase64Url(raw),
    async sign(payload: string) {
      const bytes = new TextEncoder().encode(payload);
      const signature = await subtle.sign({ name: 'Ed25519' }, keys.privateKey, bytes);
      return toBase64Url(new Uint8Array(signature));
    },
  };
}

/** A fresh Ed25519 key pair; `extractable` only where the private key must be saved to a file. */
export async function generateDeviceKeys(
  subtle: SubtleCrypto,
  extractable: boolean,
): Promise<CryptoKeyPair> {
  return await subtle.generateKey({ name: 'Ed25519' }, extractable, ['sign', 'verify']);
}

/** The JWK form of a device key, as the CLI keeps it in `identity/cli-device.json`. */
export interface DeviceKeyJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
}

export async function exportDeviceKeys(
  subtle: SubtleCrypto,
  keys: CryptoKeyPair,
): Promise<DeviceKeyJwk> {
  const jwk = await subtle.exportKey('jwk', keys.privateKey);
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x || !jwk.d)
    throw new Error('not an Ed25519 private key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d };
}

export async function importDeviceKeys(
  subtle: SubtleCrypto,
  jwk: DeviceKeyJwk,
): Promise<CryptoKeyPair> {
  if (!fromBase64Url(jwk.x) || !fromBase64Url(jwk.d)) throw new Error('invalid device key');
  const privateKey = await subtle.importKey(
    'jwk',
    { ...jwk, key_ops: ['sign'] },
    { name: 'Ed25519' },
    false,
    ['sign'],
  );
  const publicKey = await subtle.importKey(
    'jwk',
    { kty: 'OKP', crv: 'Ed25519', x: jwk.x, key_ops: ['verify'] },
    { name: 'Ed25519' },
    true,
    ['verify'],
  );
  return { privateKey, publicKey };
}
