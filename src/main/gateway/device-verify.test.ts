import { describe, expect, it } from 'vitest';
import {
  generateDeviceKeys,
  identityFromKeyPair,
  type DeviceIdentity,
} from '../../shared/device-auth.js';
import { GatewayError } from '../../shared/errors.js';
import { signConnect } from '../../shared/gateway-client.js';
import type { ClientInfo, ConnectParams, DeviceProof } from '../../shared/protocol.js';
import { DeviceVerifier } from './device-verify.js';

const NOW = 1_700_000_000_000;
const NONCE = 'challenge-nonce-1';
const CLIENT: ClientInfo = {
  id: 'special-agent-test',
  version: '0.0.0',
  platform: 'linux',
  mode: 'test',
};

const newIdentity = async (): Promise<DeviceIdentity> =>
  identityFromKeyPair(crypto.subtle, await generateDeviceKeys(crypto.subtle, false));

/** A connect signed by `identity`'s private key, naming `identity.deviceId`. */
async function proof(identity: DeviceIdentity): Promise<ConnectParams & { device: DeviceProof }> {
  const params = await signConnect({ identity, nonce: NONCE, client: CLIENT, signedAtMs: NOW });
  return params as ConnectParams & { device: DeviceProof };
}

/** The detail code the verifier refused with, or 'accepted'. */
async function outcome(
  verifier: DeviceVerifier,
  params: ConnectParams & { device: DeviceProof },
  onEventLoop = false,
) {
  try {
    await verifier.verify(params, params.device, NONCE, NOW, onEventLoop);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return error.details?.code;
  }
}

describe('DeviceVerifier', () => {
  it('refuses a cached public key presented under another device id with DEVICE_ID_MISMATCH', async () => {
    const verifier = new DeviceVerifier({ signatureSkewMs: 120_000 });
    const attacker = await newIdentity();
    const victim = await newIdentity();
    // The attacker's own connect puts its key in the cache, under its own id.
    expect(await outcome(verifier, await proof(attacker)), 'warming connect').toBe('accepted');
    // Same key, the victim's id, a valid signature by the attacker's private key.
    const claimed = await proof({ ...attacker, deviceId: victim.deviceId });
    expect(await outcome(verifier, claimed), 'cached key under another id').toBe(
      'DEVICE_ID_MISMATCH',
    );
    // The cache entry is unharmed: the key still verifies under its own id.
    expect(await outcome(verifier, await proof(attacker)), 'own id again').toBe('accepted');
  });

  it('refuses an uncached public key presented under another device id with DEVICE_ID_MISMATCH', async () => {
    const verifier = new DeviceVerifier({ signatureSkewMs: 120_000 });
    const attacker = await newIdentity();
    const victim = await newIdentity();
    const claimed = await proof({ ...attacker, deviceId: victim.deviceId });
    expect(await outcome(verifier, claimed)).toBe('DEVICE_ID_MISMATCH');
  });

  for (const onEventLoop of [false, true]) {
    const where = onEventLoop ? 'on the event loop (a lone handshake)' : 'in the thread pool';
    it(`accepts a valid signature and refuses a forged or garbled one ${where}`, async () => {
      const verifier = new DeviceVerifier({ signatureSkewMs: 120_000 });
      const device = await newIdentity();
      const valid = await proof(device);
      expect(await outcome(verifier, valid, onEventLoop), 'the device’s own signature').toBe(
        'accepted',
      );
      const other = await proof(await newIdentity());
      const forged = { ...valid, device: { ...valid.device, signature: other.device.signature } };
      expect(await outcome(verifier, forged, onEventLoop), 'another key’s signature').toBe(
        'DEVICE_SIGNATURE_INVALID',
      );
      const flipped = valid.device.signature.startsWith('A') ? 'B' : 'A';
      const garbled = {
        ...valid,
        device: { ...valid.device, signature: flipped + valid.device.signature.slice(1) },
      };
      expect(await outcome(verifier, garbled, onEventLoop), 'one character changed').toBe(
        'DEVICE_SIGNATURE_INVALID',
      );
      const otherScopes = { ...valid, scopes: ['operator.admin'] };
      expect(await outcome(verifier, otherScopes, onEventLoop), 'a payload it did not sign').toBe(
        'DEVICE_SIGNATURE_INVALID',
      );
    });
  }
});
