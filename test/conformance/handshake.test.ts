/**
 * PROTOCOL.md "Handshake": the challenge, the order of the checks, the device proof, the
 * hello-ok payload and when it carries a device token.
 */
import { describe, expect, it } from 'vitest';
import { connectDevice, newIdentity } from '../helpers/gateway.js';
import { failure, gatewayPerCase, rawConnect, remoteConnect } from './support.js';

const gw = gatewayPerCase();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('connect.challenge', () => {
  it('is the first frame, with a fresh UUID nonce per socket and a numeric ts', async () => {
    const gateway = await gw.start();
    const a = gw.raw(gateway);
    const b = gw.raw(gateway);
    const [first] = await Promise.all([a.next(() => true), b.next(() => true)]);
    expect(first).toMatchObject({ type: 'event', event: 'connect.challenge' });
    const payload = first.payload as { nonce: string; ts: number };
    expect(payload.nonce).toMatch(UUID);
    expect(typeof payload.ts).toBe('number');
    expect(Math.abs(payload.ts - Date.now())).toBeLessThan(10_000);
    expect(await b.challengeNonce()).not.toBe(payload.nonce);
  });
});

describe('order of the checks (step 2)', () => {
  it('answers a version mismatch before a missing device identity', async () => {
    const gateway = await gw.start();
    const { response, close } = await rawConnect(gateway, {
      mutate: (params) => {
        params.minProtocol = 4;
        params.maxProtocol = 5;
        delete params.device;
      },
    });
    expect(response.error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'protocol mismatch',
      details: { expectedProtocol: 3 },
    });
    expect(close?.code).toBe(1002);
    expect(close?.reason).toMatch(/^protocol mismatch/);
  });

  it('answers the failed-secret lockout before the device identity', async () => {
    const gateway = await gw.startProxied();
    for (let i = 0; i < 10; i++) {
      const attempt = await remoteConnect(gateway, { auth: { token: `wrong-${i}` } });
      expect(attempt.error?.detailCode).toBe('AUTH_TOKEN_MISMATCH');
    }
    const { response, close } = await rawConnect(gateway, {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      mutate: (params) => delete params.device,
    });
    expect(response.error?.code).toBe('RATE_LIMITED');
    expect(response.error?.details?.code).toBe('AUTH_RATE_LIMITED');
    expect(response.error?.retryAfterMs).toBeGreaterThan(0);
    expect(response.error?.details).not.toHaveProperty('retryAfterMs');
    expect(close?.code).toBe(1008);
  });

  it('checks the device proof before the shared secret, and a bad proof is not a failed secret', async () => {
    const gateway = await gw.startProxied();
    for (let i = 0; i < 12; i++) {
      const { response, close } = await rawConnect(gateway, {
        auth: { token: `wrong-${i}` },
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': '203.0.113.8' },
        mutate: (params) => {
          (params.device as Record<string, unknown>).signature = 'A'.repeat(86);
        },
      });
      expect(response.error?.details?.code).toBe('DEVICE_SIGNATURE_INVALID');
      expect(close?.code).toBe(1008);
    }
  });

  it('checks the shared secret before pairing: a wrong token creates no pending request', async () => {
    const gateway = await gw.startProxied();
    const attempt = await remoteConnect(gateway, { auth: { token: 'wrong' } });
    expect(attempt.error?.detailCode).toBe('AUTH_TOKEN_MISMATCH');
    expect(gateway.app.pairing.list().pending).toHaveLength(0);
    const forged = await rawConnect(gateway, {
      localAddress: '127.0.0.2',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      mutate: (params) => {
        (params.device as Record<string, unknown>).signedAt = Date.now() - 10 * 60_000;
      },
    });
    expect(forged.response.error?.details?.code).toBe('DEVICE_SIGNATURE_EXPIRED');
    expect(gateway.app.pairing.list().pending).toHaveLength(0);
  });
});

describe('device identity (step 3)', () => {
  it('checks signedAt before the nonce, and the nonce before the signature', async () => {
    const gateway = await gw.start();
    const expiredAndForeign = await rawConnect(gateway, {
      nonce: '00000000-0000-4000-8000-000000000000',
      signedAtMs: Date.now() - 200_000,
    });
    expect(expiredAndForeign.response.error?.details?.code).toBe('DEVICE_SIGNATURE_EXPIRED');
    const foreignAndBadSig = await rawConnect(gateway, {
      nonce: '00000000-0000-4000-8000-000000000000',
      mutate: (params) => {
        (params.device as Record<string, unknown>).signature = 'A'.repeat(86);
      },
    });
    expect(foreignAndBadSig.response.error?.details?.code).toBe('DEVICE_NONCE_MISMATCH');
    expect(foreignAndBadSig.close?.code).toBe(1008);
  });

  it('accepts a signedAt 110 s in the future (the skew is |now − signedAt|)', async () => {
    const gateway = await gw.start();
    const { response } = await rawConnect(gateway, { signedAtMs: Date.now() + 110_000 });
    expect(response.ok).toBe(true);
  });

  it('signs platform and deviceFamily trimmed and ASCII-lowercased', async () => {
    const gateway = await gw.start();
    const { hello } = await connectDevice(gateway, {
      client: { platform: '  MacOS ', deviceFamily: ' Laptop' },
    });
    expect(hello.type).toBe('hello-ok');
  });

  // A device.id that is not 64 lowercase hex characters is a step-3 "id matches key"
  // failure (DEVICE_ID_MISMATCH), not a frame-shape error without a details.code.
  it('refuses a device.id that is not the hex SHA-256 of the key with DEVICE_ID_MISMATCH', async () => {
    const gateway = await gw.start();
    const { response, close } = await rawConnect(gateway, {
      mutate: (params) => {
        (params.device as Record<string, unknown>).id = 'not-my-device-id';
      },
    });
    expect(response.error?.code).toBe('UNAUTHORIZED');
    expect(response.error?.details?.code).toBe('DEVICE_ID_MISMATCH');
    expect(close?.code).toBe(1008);
  });
});

describe('hello-ok (step 6)', () => {
  it('has exactly the documented fields', async () => {
    const gateway = await gw.start();
    const { hello, client } = await connectDevice(gateway);
    gw.track(client);
    expect(Object.keys(hello).sort()).toEqual(
      ['auth', 'features', 'policy', 'protocol', 'server', 'snapshot', 'type'].sort(),
    );
    expect(hello.server).toEqual({ version: expect.any(String), connId: expect.any(String) });
    expect(hello.snapshot).toEqual({
      presence: [],
      health: {},
      stateVersion: { presence: 0, health: 0 },
      uptimeMs: expect.any(Number),
      authMode: 'token',
    });
    expect([...hello.features.events].sort()).toEqual(
      [
        'chat',
        'config.changed',
        'connect.challenge',
        'device.pair.requested',
        'device.pair.resolved',
        'device.paired',
        'shutdown',
        'tick',
      ].sort(),
    );
    for (const method of [
      'status',
      'device.pair.list',
      'device.pair.approve',
      'device.pair.reject',
      'device.pair.remove',
      'device.token.rotate',
      'device.token.revoke',
      'models.authStatus',
      'models.providers.upsert',
      'models.providers.remove',
      'models.providers.setKey',
      'models.providers.clearKey',
      'config.get',
      'config.set',
      'config.unset',
      'agents.list',
      'chat.send',
      'gateway.auth.rotate',
    ]) {
      expect(hello.features.methods).toContain(method);
    }
    expect(Object.keys(hello.auth!).sort()).toEqual(
      ['deviceToken', 'issuedAtMs', 'role', 'scopes'].sort(),
    );
    expect(hello.auth!.role).toBe('operator');
  });

  it('gives two connections distinct connIds', async () => {
    const gateway = await gw.start();
    const a = await gw.operator(gateway);
    const b = await gw.operator(gateway);
    expect(a.hello.server.connId).not.toBe(b.hello.server.connId);
  });

  it('issues a new device token whenever the shared secret is used, and the old one stops working', async () => {
    const gateway = await gw.start();
    const identity = await newIdentity();
    const first = await connectDevice(gateway, { identity });
    first.client.close();
    const second = await connectDevice(gateway, { identity });
    gw.track(second.client);
    expect(second.hello.auth?.deviceToken).toBeTruthy();
    expect(second.hello.auth?.deviceToken).not.toBe(first.hello.auth?.deviceToken);
    const stale = await failure(
      connectDevice(gateway, { identity, auth: { deviceToken: first.hello.auth!.deviceToken } }),
    );
    expect(stale.detailCode).toBe('AUTH_DEVICE_TOKEN_MISMATCH');
    expect(stale.closeCode).toBe(1008);
    const fresh = await connectDevice(gateway, {
      identity,
      auth: { deviceToken: second.hello.auth!.deviceToken },
    });
    gw.track(fresh.client);
    expect(fresh.hello.auth).toBeUndefined();
  });

  it('admits a device token in password mode without the password', async () => {
    const gateway = await gw.start({
      config: { gateway: { auth: { mode: 'password' } } },
      env: { SPECIAL_AGENT_GATEWAY_PASSWORD: 'pw-for-conformance' },
    });
    const identity = await newIdentity();
    const first = await connectDevice(gateway, {
      identity,
      auth: { password: 'pw-for-conformance' },
    });
    first.client.close();
    const again = await connectDevice(gateway, {
      identity,
      auth: { deviceToken: first.hello.auth!.deviceToken },
    });
    gw.track(again.client);
    expect(again.hello.auth).toBeUndefined();
  });

  // PROTOCOL.md step 6: `auth` is present only on the first connect after approval and when
  // the shared secret was used (none mode has no shared secret to use).
  it('in none mode, does not issue (and so replace) a device token on every connect', async () => {
    const gateway = await gw.start({ config: { gateway: { auth: { mode: 'none' } } } });
    const identity = await newIdentity();
    const first = await connectDevice(gateway, { identity, auth: {} });
    first.client.close();
    expect(first.hello.auth?.deviceToken).toBeTruthy();
    const again = await connectDevice(gateway, {
      identity,
      auth: { deviceToken: first.hello.auth!.deviceToken },
    });
    gw.track(again.client);
    expect(again.hello.auth).toBeUndefined();
  });
});

describe('rejected connects', () => {
  it('sends the error res before the close, with details.code, for every auth refusal', async () => {
    const gateway = await gw.start();
    const { response, close, socket } = await rawConnect(gateway, { auth: { token: 'nope' } });
    expect(response.error?.details?.code).toBe('AUTH_TOKEN_MISMATCH');
    expect(close?.code).toBe(1008);
    expect(close?.reason).toMatch(/^unauthorized: /);
    const resIndex = socket.frames.findIndex((f) => f.type === 'res');
    expect(resIndex).toBeGreaterThan(0);
  });

  it('refuses a connect without a device with DEVICE_IDENTITY_REQUIRED and a reason beginning "device"', async () => {
    const gateway = await gw.start();
    const { response, close } = await rawConnect(gateway, {
      mutate: (params) => delete params.device,
    });
    expect(response.error?.details?.code).toBe('DEVICE_IDENTITY_REQUIRED');
    expect(close?.code).toBe(1008);
    expect(close?.reason).toMatch(/^device /);
  });
});
