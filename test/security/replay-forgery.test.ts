/**
 * Replay and forgery of the device proof: replayed connect frames, signedAt at and past
 * the ±120 s edge (injected clock), a swapped publicKey, a truncated signature, and plain
 * base64 where base64url is required. Every refusal is a `res` with its details.code and
 * close 1008; the pre-paired device is never impersonated.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import type { ConnectAuth } from '../../src/shared/gateway-client.js';
import { newIdentity, type RawSocket } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways, signedParams } from './support.js';

const start = guardedGateways();
const SKEW_MS = 120_000;

interface Attempt {
  identity?: DeviceIdentity;
  auth?: ConnectAuth;
  signedAtMs?: number;
  tamper?: (params: Record<string, unknown>, device: Record<string, unknown>) => void;
}

/**
 * The answer to request `id` and, when it is a refusal, the close code that follows; each
 * wait bounded, so a connect wrongly admitted fails on the assertion, not a timeout.
 */
async function answered(socket: RawSocket, id: string) {
  const response = await within(OUTCOME_WAIT_MS, socket.response(id), `the answer to "${id}"`);
  if (response.ok) return { response, close: undefined };
  const close = await within(OUTCOME_WAIT_MS, socket.closed, `the close after "${id}" failed`);
  return { response, close: close.code };
}

/** Sends one hand-signed connect on a fresh socket; returns the answer and the close. */
async function connectWith(g: GuardedGateway, attempt: Attempt) {
  const socket = g.guard.raw();
  const nonce = await within(OUTCOME_WAIT_MS, socket.challengeNonce(), 'connect.challenge');
  const params = await signedParams(nonce, {
    auth: attempt.auth ?? g.sharedAuth,
    signedAtMs: attempt.signedAtMs ?? g.clock.now(),
    ...(attempt.identity ? { identity: attempt.identity } : {}),
  });
  attempt.tamper?.(params, params.device as Record<string, unknown>);
  socket.send({ type: 'req', id: 'c', method: 'connect', params });
  const { response, close } = await answered(socket, 'c');
  if (response.ok) socket.ws.close();
  return { response, close, params };
}

function refusedWith(result: Awaited<ReturnType<typeof connectWith>>, detailCode: string) {
  expect(result.response.ok, `connect refused with ${detailCode}`).toBe(false);
  expect(
    result.response.error?.details?.code ?? result.response.error?.code,
    'details.code of the refusal',
  ).toBe(detailCode);
  expect(result.close, 'close code after the refusal').toBe(1008);
}

/** The pre-paired device presenting its own device token: the victim's legitimate connect. */
const asVictim = (g: GuardedGateway): Attempt => ({
  identity: g.guard.prePaired.identity,
  auth: { deviceToken: g.guard.prePaired.deviceToken },
});

describe('replayed connect frames', () => {
  it("replays the pre-paired device's captured frame on a new socket: nonce mismatch", async () => {
    const g = await start();
    const original = await connectWith(g, asVictim(g));
    expect(original.response.ok).toBe(true);
    const replay = g.guard.raw();
    await replay.challengeNonce();
    replay.send({ type: 'req', id: 'r', method: 'connect', params: original.params });
    const { response, close } = await answered(replay, 'r');
    expect(response.error?.details?.code, 'why the replayed frame was refused').toBe(
      'DEVICE_NONCE_MISMATCH',
    );
    expect(close, 'close code after the replay').toBe(1008);
    await g.guard.check();
  });

  it('replays it with the new socket’s nonce pasted in: the signature no longer verifies', async () => {
    const g = await start();
    const original = await connectWith(g, asVictim(g));
    const replay = g.guard.raw();
    const nonce = await replay.challengeNonce();
    const params = structuredClone(original.params);
    (params.device as Record<string, unknown>).nonce = nonce;
    replay.send({ type: 'req', id: 'r', method: 'connect', params });
    const { response, close } = await answered(replay, 'r');
    expect(response.error?.details?.code, 'why the re-nonced replay was refused').toBe(
      'DEVICE_SIGNATURE_INVALID',
    );
    expect(close, 'close code after the replay').toBe(1008);
    await g.guard.check();
  });

  it('answers a connect repeated after hello-ok with INVALID_REQUEST and keeps the session as it was', async () => {
    const g = await start();
    const socket = g.guard.raw();
    const nonce = await socket.challengeNonce();
    const params = await signedParams(nonce, { ...asVictim(g), signedAtMs: g.clock.now() });
    socket.send({ type: 'req', id: 'c1', method: 'connect', params });
    expect((await socket.response('c1')).ok).toBe(true);
    socket.send({ type: 'req', id: 'c2', method: 'connect', params });
    expect((await socket.response('c2')).error?.code).toBe('INVALID_REQUEST');
    socket.send({ type: 'req', id: 's', method: 'status' });
    expect((await socket.response('s')).ok).toBe(true);
    socket.ws.close();
    await g.guard.check();
  });

  it('does not let a stolen device token work with another key', async () => {
    const g = await start();
    const result = await connectWith(g, { auth: { deviceToken: g.guard.prePaired.deviceToken } });
    refusedWith(result, 'AUTH_DEVICE_TOKEN_MISMATCH');
    await g.guard.check();
  });
});

describe('signedAt at the edges of the allowed skew (injected clock)', () => {
  for (const [name, offset, accepted] of [
    ['exactly 120 s in the future', SKEW_MS, true],
    ['1 ms beyond 120 s in the future', SKEW_MS + 1, false],
    ['exactly 120 s in the past', -SKEW_MS, true],
    ['1 ms beyond 120 s in the past', -SKEW_MS - 1, false],
    ['a day in the future', 86_400_000, false],
    ['the epoch', Number.NaN, false],
  ] as const) {
    it(`${accepted ? 'accepts' : 'refuses'} a signature ${name}`, async () => {
      const g = await start();
      const signedAtMs = Number.isNaN(offset) ? 0 : g.clock.now() + offset;
      const result = await connectWith(g, { ...asVictim(g), signedAtMs });
      if (accepted) expect(result.response.ok, `connect signed ${name} admitted`).toBe(true);
      else refusedWith(result, 'DEVICE_SIGNATURE_EXPIRED');
      await g.guard.check();
    });
  }
});

describe('forged device proofs', () => {
  it("claims the pre-paired device's id and key but signs with another key, even with its token", async () => {
    const g = await start();
    const { identity, deviceToken } = g.guard.prePaired;
    const result = await connectWith(g, {
      auth: { deviceToken },
      tamper: (_params, device) => {
        device.id = identity.deviceId;
        device.publicKey = identity.publicKey;
      },
    });
    refusedWith(result, 'DEVICE_SIGNATURE_INVALID');
    await g.guard.check();
  });

  it("swaps in the pre-paired device's public key under the attacker's id", async () => {
    const g = await start();
    const result = await connectWith(g, {
      tamper: (_params, device) => {
        device.publicKey = g.guard.prePaired.identity.publicKey;
      },
    });
    refusedWith(result, 'DEVICE_ID_MISMATCH');
    await g.guard.check();
  });

  it("refuses a paired device's key, cached by its own connect, under the pre-paired device's id and stolen token", async () => {
    const g = await start({ extraDevices: [['operator.read']] });
    const [attacker] = g.extraDevices;
    const { identity, deviceToken } = g.guard.prePaired;
    // A successful connect puts the attacker's public key in the verifier's cache.
    const warm = await connectWith(g, {
      identity: attacker!.identity,
      auth: { deviceToken: attacker!.deviceToken },
    });
    expect(warm.response.ok, 'the warming connect of the attacker’s own device').toBe(true);
    // Same key and a valid signature by its private key, but the victim's id and token.
    const result = await connectWith(g, {
      identity: { ...attacker!.identity, deviceId: identity.deviceId },
      auth: { deviceToken },
    });
    refusedWith(result, 'DEVICE_ID_MISMATCH');
    await g.guard.check();
  });

  for (const [name, cut] of [
    ['by two characters (63 bytes)', 2],
    ['by one character (not decodable)', 1],
    ['to half', 43],
  ] as const) {
    it(`refuses a signature truncated ${name}`, async () => {
      const g = await start();
      const result = await connectWith(g, {
        ...asVictim(g),
        tamper: (_params, device) => {
          device.signature = String(device.signature).slice(0, -cut);
        },
      });
      refusedWith(result, 'DEVICE_SIGNATURE_INVALID');
      await g.guard.check();
    });
  }

  it('refuses a signature in plain (padded) base64', async () => {
    const g = await start();
    const result = await connectWith(g, {
      ...asVictim(g),
      tamper: (_params, device) => {
        device.signature = Buffer.from(String(device.signature), 'base64url').toString('base64');
      },
    });
    refusedWith(result, 'DEVICE_SIGNATURE_INVALID');
    await g.guard.check();
  });

  it('refuses a public key in plain (padded) base64', async () => {
    const g = await start();
    const result = await connectWith(g, {
      ...asVictim(g),
      tamper: (_params, device) => {
        device.publicKey = Buffer.from(String(device.publicKey), 'base64url').toString('base64');
      },
    });
    refusedWith(result, 'DEVICE_PUBLIC_KEY_INVALID');
    await g.guard.check();
  });

  it('refuses an upper-case hex device id as DEVICE_ID_MISMATCH (the id is the lowercase hex hash)', async () => {
    const g = await start();
    const result = await connectWith(g, {
      ...asVictim(g),
      tamper: (_params, device) => {
        device.id = String(device.id).toUpperCase();
      },
    });
    refusedWith(result, 'DEVICE_ID_MISMATCH');
    await g.guard.check();
  });

  it('refuses a proof whose signature covers other scopes than the ones asked for', async () => {
    const g = await start();
    const result = await connectWith(g, {
      ...asVictim(g),
      tamper: (params) => {
        params.scopes = ['operator.admin'];
      },
    });
    refusedWith(result, 'DEVICE_SIGNATURE_INVALID');
    await g.guard.check();
  });

  it('refuses a connect with no device proof at all', async () => {
    const g = await start();
    const identity = await newIdentity();
    const result = await connectWith(g, {
      identity,
      tamper: (params) => {
        delete params.device;
      },
    });
    refusedWith(result, 'DEVICE_IDENTITY_REQUIRED');
    await g.guard.check();
  });
});
