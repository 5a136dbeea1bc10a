/**
 * The "one Ed25519 verify" of the handshake-limit baseline (bench/README.md), run by the
 * raw server for every connection on `/verify`. It is done the way the gateway verifies a
 * device proof (src/main/gateway/device-verify.ts): the public key is a KeyObject imported
 * once, the signed text is turned into a Buffer per connection, and `crypto.verify` runs
 * with a callback, so the work happens in libuv's thread pool.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';

/** A v3 signature payload of the bench's own shape and length (PROTOCOL.md step 3). */
const PAYLOAD = [
  'v3',
  'a'.repeat(64),
  'special-agent-bench',
  'test',
  'operator',
  'operator.read',
  String(Date.now()),
  'b'.repeat(43),
  randomUUID(),
  'linux',
  '',
].join('|');

let keys;

/** Imported once, as the gateway's key cache does for a returning device. */
function verifyKeys() {
  if (keys) return keys;
  const pair = generateKeyPairSync('ed25519');
  const x = pair.publicKey.export({ format: 'jwk' }).x;
  keys = {
    publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }),
    signature: sign(null, Buffer.from(PAYLOAD, 'utf8'), pair.privateKey),
  };
  return keys;
}

/** Verifies the signature once for `ws`; a failure (never expected) drops the socket. */
export function verifyOnePerConnection(ws) {
  const { publicKey, signature } = verifyKeys();
  verify(null, Buffer.from(PAYLOAD, 'utf8'), publicKey, signature, (error, ok) => {
    if (error || !ok) ws.terminate();
  });
}
