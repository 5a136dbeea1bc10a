import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSignaturePayload } from '../../src/shared/device-auth.js';
import { signConnect } from '../../src/shared/gateway-client.js';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import {
  connectDevice,
  newIdentity,
  RawSocket,
  startTestGateway,
  TEST_CLIENT,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

async function connectError(promise: Promise<unknown>): Promise<GatewayClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  return error as GatewayClientError;
}

/** Sends a signed connect over a raw socket and returns the response and the close. */
async function rawConnect(
  gw: TestGateway,
  mutate: (params: Record<string, unknown>, nonce: string) => void | Promise<void>,
) {
  const socket = new RawSocket(gw.wsUrl);
  const nonce = await within(OUTCOME_WAIT_MS, socket.challengeNonce(), 'connect.challenge');
  const params = (await signConnect({
    identity: await newIdentity(),
    nonce,
    client: TEST_CLIENT,
    auth: { token: gw.token },
    signedAtMs: Date.now(),
  })) as unknown as Record<string, unknown>;
  await mutate(params, nonce);
  socket.send({ type: 'req', id: 'c1', method: 'connect', params });
  const response = await within(OUTCOME_WAIT_MS, socket.response('c1'), 'the connect answer');
  if (response.ok) return { response, close: undefined, socket };
  const close = await within(OUTCOME_WAIT_MS, socket.closed, 'the close after a refused connect');
  return { response, close, socket };
}

describe('token mode', () => {
  it('admits a device with the right token and answers hello-ok with a device token', async () => {
    gateway = await startTestGateway();
    const { hello } = await connectDevice(gateway);
    expect(hello.type).toBe('hello-ok');
    expect(hello.protocol).toBe(3);
    expect(hello.snapshot.authMode).toBe('token');
    expect(hello.auth?.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hello.features.methods).toContain('status');
    expect(hello.policy).toEqual({
      maxPayload: 1048576,
      maxBufferedBytes: 8388608,
      tickIntervalMs: 30000,
    });
  });

  it('refuses a missing token with AUTH_TOKEN_MISSING and close 1008', async () => {
    gateway = await startTestGateway();
    const error = await connectError(connectDevice(gateway, { auth: {} }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.detailCode).toBe('AUTH_TOKEN_MISSING');
    expect(error.closeCode).toBe(1008);
    expect(error.closeReason).toMatch(/^unauthorized: /);
  });

  it('refuses a wrong token with AUTH_TOKEN_MISMATCH, a message that says what to check, and close 1008', async () => {
    gateway = await startTestGateway();
    const error = await connectError(
      connectDevice(gateway, { auth: { token: 'wrong-token-value' } }),
    );
    expect(error.detailCode).toBe('AUTH_TOKEN_MISMATCH');
    expect(error.message).toContain('SPECIAL_AGENT_GATEWAY_TOKEN');
    expect(error.closeCode).toBe(1008);
  });

  it('takes the token from SPECIAL_AGENT_GATEWAY_TOKEN over the config file', async () => {
    gateway = await startTestGateway({
      config: { gateway: { auth: { mode: 'token', token: 'config-file-token' } } },
    });
    await expect(
      connectDevice(gateway, { auth: { token: 'config-file-token' } }),
    ).rejects.toMatchObject({
      details: { code: 'AUTH_TOKEN_MISMATCH' },
    });
    const { hello } = await connectDevice(gateway, { auth: { token: gateway.token } });
    expect(hello.type).toBe('hello-ok');
  });
});

describe('token or device token', () => {
  it('admits a paired device whose shared token is stale when its own device token is valid', async () => {
    gateway = await startTestGateway();
    const first = await connectDevice(gateway);
    first.client.close();
    const deviceToken = first.hello.auth!.deviceToken;
    const again = await connectDevice(gateway, {
      identity: first.identity,
      auth: { token: 'stale-token-value', deviceToken },
    });
    expect(again.hello.type).toBe('hello-ok');
    again.client.close();
    const error = await connectError(
      connectDevice(gateway, {
        identity: first.identity,
        auth: { token: 'stale-token-value', deviceToken: 'not-the-token' },
      }),
    );
    expect(error.detailCode).toBe('AUTH_TOKEN_MISMATCH');
  });
});

describe('password mode', () => {
  const env = { SPECIAL_AGENT_GATEWAY_PASSWORD: 'correct horse battery' };
  const config = { gateway: { auth: { mode: 'password' } } };

  it('admits the right password', async () => {
    gateway = await startTestGateway({ config, env });
    const { hello } = await connectDevice(gateway, { auth: { password: 'correct horse battery' } });
    expect(hello.snapshot.authMode).toBe('password');
  });

  it('refuses a missing or wrong password with its own details.code and close 1008', async () => {
    gateway = await startTestGateway({ config, env });
    const missing = await connectError(connectDevice(gateway, { auth: {} }));
    expect(missing.detailCode).toBe('AUTH_PASSWORD_MISSING');
    expect(missing.closeCode).toBe(1008);
    const wrong = await connectError(connectDevice(gateway, { auth: { password: 'nope' } }));
    expect(wrong.detailCode).toBe('AUTH_PASSWORD_MISMATCH');
    expect(wrong.closeCode).toBe(1008);
  });
});

describe('none mode', () => {
  it('admits a loopback device with no secret', async () => {
    gateway = await startTestGateway({ config: { gateway: { auth: { mode: 'none' } } } });
    const { hello } = await connectDevice(gateway, { auth: {} });
    expect(hello.snapshot.authMode).toBe('none');
  });

  it('closes the sessions it admitted with no secret (4001) once the config turns token mode on', async () => {
    gateway = await startTestGateway({ config: { gateway: { auth: { mode: 'none' } } } });
    const { client } = await connectDevice(gateway, { auth: {} });
    const closed = client.closed();
    await writeConfig(gateway.home, { gateway: { auth: { mode: 'token' } } });
    expect(
      await within(OUTCOME_WAIT_MS, closed, 'close 4001 of the session admitted with no secret'),
      'close of the no-secret session',
    ).toEqual({ code: 4001, reason: 'gateway auth changed' });
  });
});

describe('none mode on a gateway listening beyond loopback', () => {
  // Started with `--bind lan` over a file that says loopback: the file may then say none
  // (the schema checks the file's bind), but this listener must never take it.
  const onLan = () =>
    startTestGateway({
      config: { gateway: { bind: 'loopback', tls: { enabled: false } } },
      overrides: { bind: 'lan' },
    });

  it('config.set gateway.auth.mode none is refused with CONFIG_INVALID and the gateway stays in token mode', async () => {
    gateway = await onLan();
    const { client } = await connectDevice(gateway);
    const error = await connectError(
      client.request('config.set', { path: 'gateway.auth.mode', value: 'none' }),
    );
    client.close();
    expect(error.detailCode, 'the answer to setting none').toBe('CONFIG_INVALID');
    expect(error.message).toContain('only allowed while the gateway listens on loopback');
    // Refused before the write: the file still says what it said.
    expect(await readFile(join(gateway.home, 'config.json5'), 'utf8')).not.toContain('none');
    const refused = await connectError(connectDevice(gateway, { auth: {} }));
    expect(refused.detailCode, 'a client with no secret afterwards').toBe('AUTH_TOKEN_MISSING');
  });

  it('a config file edited to none is not applied, but a new token in the same edit is', async () => {
    const old = 'old-token-before-none-0123456789';
    const next = 'new-token-after-none-0123456789';
    const tokenIn = (token: string, mode?: string) => ({
      gateway: {
        bind: 'loopback',
        tls: { enabled: false },
        auth: { token, ...(mode ? { mode } : {}) },
      },
    });
    gateway = await startTestGateway({
      config: tokenIn(old),
      overrides: { bind: 'lan' },
      noEnvToken: true,
    });
    await writeConfig(gateway.home, tokenIn(next, 'none'));
    const gw = gateway;
    await within(
      OUTCOME_WAIT_MS,
      (async () => {
        while (
          !gw.logs.some((line) =>
            line.includes('only allowed while the gateway listens on loopback'),
          )
        )
          await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      'the log line refusing none',
    );
    const refused = await connectError(connectDevice(gateway, { auth: {} }));
    expect(refused.detailCode, 'a client with no secret afterwards').toBe('AUTH_TOKEN_MISSING');
    const admitted = await connectDevice(gateway, { auth: { token: next } });
    expect(admitted.hello.snapshot.authMode, 'the mode it kept').toBe('token');
    // While the file says none, a change that does not set it answers as applied.
    await expect(
      admitted.client.request('config.set', {
        path: 'gateway.pairing.pendingTtlSeconds',
        value: 120,
      }),
    ).resolves.toMatchObject({ hash: expect.any(String) });
    admitted.client.close();
  });
});

describe('device signature failures', () => {
  it('refuses a public key that does not hash to device.id', async () => {
    gateway = await startTestGateway();
    const other = await newIdentity();
    const { response, close } = await rawConnect(gateway, (params) => {
      (params.device as Record<string, unknown>).publicKey = other.publicKey;
    });
    expect(response.error?.details?.code).toBe('DEVICE_ID_MISMATCH');
    expect(close?.code).toBe(1008);
  });

  it('refuses a stale signedAt', async () => {
    gateway = await startTestGateway();
    const identity = await newIdentity();
    const error = await connectError(
      connectDevice(gateway, { identity, now: () => Date.now() - 121_000 }),
    );
    expect(error.detailCode, 'why a 121 s old signature was refused').toBe(
      'DEVICE_SIGNATURE_EXPIRED',
    );
    expect(error.closeCode, 'close code after the refusal').toBe(1008);
  });

  it('refuses a nonce taken from another socket', async () => {
    gateway = await startTestGateway();
    const other = new RawSocket(gateway.wsUrl);
    const foreignNonce = await other.challengeNonce();
    const identity = await newIdentity();
    const { response, close } = await rawConnect(gateway, async (params) => {
      Object.assign(
        params,
        await signConnect({
          identity,
          nonce: foreignNonce,
          client: TEST_CLIENT,
          auth: { token: gateway!.token },
          signedAtMs: Date.now(),
        }),
      );
    });
    expect(response.error?.details?.code, 'why a foreign nonce was refused').toBe(
      'DEVICE_NONCE_MISMATCH',
    );
    expect(close?.code, 'close code after the refusal').toBe(1008);
    other.ws.close();
  });

  it('refuses a signature that does not verify', async () => {
    gateway = await startTestGateway();
    const { response, close } = await rawConnect(gateway, (params) => {
      (params.client as Record<string, unknown>).displayName = 'tampered after signing';
      (params.client as Record<string, unknown>).platform = 'tampered';
    });
    expect(response.error?.details?.code).toBe('DEVICE_SIGNATURE_INVALID');
    expect(close?.code).toBe(1008);
  });

  it('refuses a connect frame replayed on a new socket', async () => {
    gateway = await startTestGateway();
    let captured: Record<string, unknown> | undefined;
    const first = await rawConnect(gateway, (params) => {
      captured = params;
    });
    expect(first.response.ok).toBe(true);
    first.socket.ws.close();
    const replay = new RawSocket(gateway.wsUrl);
    await replay.challengeNonce();
    replay.send({ type: 'req', id: 'replay', method: 'connect', params: captured });
    const response = await within(OUTCOME_WAIT_MS, replay.response('replay'), 'the replay answer');
    expect(response.error?.details?.code, 'why the replayed frame was refused').toBe(
      'DEVICE_NONCE_MISMATCH',
    );
    const close = await within(OUTCOME_WAIT_MS, replay.closed, 'the close after the replay');
    expect(close.code, 'close code after the replay').toBe(1008);
  });

  it('builds the exact v3 payload string', () => {
    expect(
      buildSignaturePayload({
        deviceId: 'abc',
        clientId: 'cli',
        clientMode: 'cli',
        role: 'operator',
        scopes: ['operator.read', 'operator.write'],
        signedAtMs: 1700000000000,
        token: 'tok',
        nonce: 'n-1',
        platform: ' Linux ',
        deviceFamily: 'Desktop',
      }),
    ).toBe(
      'v3|abc|cli|cli|operator|operator.read,operator.write|1700000000000|tok|n-1|linux|desktop',
    );
  });
});

describe('frame limits', () => {
  it('closes 1009 on a 70 KiB first frame', async () => {
    gateway = await startTestGateway();
    const socket = new RawSocket(gateway.wsUrl);
    await socket.challengeNonce();
    socket.send('x'.repeat(70 * 1024));
    const close = await within(
      OUTCOME_WAIT_MS,
      socket.closed,
      'close 1009 of a 70 KiB first frame',
    );
    expect(close, 'close of a 70 KiB first frame').toEqual({
      code: 1009,
      reason: 'preauth payload too large',
    });
  });

  it('closes 1008 "handshake timeout" when no connect arrives', async () => {
    gateway = await startTestGateway({ limits: { handshakeTimeoutMs: 300 } });
    const socket = new RawSocket(gateway.wsUrl);
    const close = await within(
      OUTCOME_WAIT_MS,
      socket.closed,
      'the close of a socket silent past handshakeTimeoutMs (300 ms)',
    );
    expect(close, 'close of a silent socket').toEqual({ code: 1008, reason: 'handshake timeout' });
  });

  it('closes 1003 on a binary frame', async () => {
    gateway = await startTestGateway();
    const socket = new RawSocket(gateway.wsUrl);
    await socket.opened;
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await socket.closed).code).toBe(1003);
  });

  it('answers non-JSON and unknown fields with INVALID_REQUEST', async () => {
    gateway = await startTestGateway();
    const notJson = new RawSocket(gateway.wsUrl);
    await notJson.challengeNonce();
    notJson.send('{not json');
    const res = await notJson.next((f) => f.type === 'res');
    expect((res.error as { code: string }).code).toBe('INVALID_REQUEST');
    expect((await notJson.closed).code).toBe(1008);

    const unknownField = new RawSocket(gateway.wsUrl);
    await unknownField.challengeNonce();
    unknownField.send({ type: 'req', id: 'u1', method: 'connect', params: {}, extra: true });
    expect((await unknownField.response('u1')).error?.code).toBe('INVALID_REQUEST');

    const { client } = await connectDevice(gateway);
    await expect(client.request('status', { bogus: 1 })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    client.close();
  });

  it('answers maxProtocol 2 with protocol mismatch and close 1002', async () => {
    gateway = await startTestGateway();
    const { response, close } = await rawConnect(gateway, (params) => {
      params.maxProtocol = 2;
      params.minProtocol = 2;
    });
    expect(response.error?.code).toBe('INVALID_REQUEST');
    expect(response.error?.message).toBe('protocol mismatch');
    expect(response.error?.details?.expectedProtocol).toBe(3);
    expect(close?.code).toBe(1002);
  });

  it('keeps serving other clients through all of this', async () => {
    gateway = await startTestGateway({ limits: { handshakeTimeoutMs: 300 } });
    const bad = new RawSocket(gateway.wsUrl);
    await bad.challengeNonce();
    bad.send('x'.repeat(70 * 1024));
    const silent = new RawSocket(gateway.wsUrl);
    const binary = new RawSocket(gateway.wsUrl);
    await binary.opened;
    binary.ws.send(Buffer.from([0]), { binary: true });
    await within(OUTCOME_WAIT_MS, bad.closed, 'close of the 70 KiB frame socket');
    await within(OUTCOME_WAIT_MS, silent.closed, 'close of the silent socket (300 ms timeout)');
    await within(OUTCOME_WAIT_MS, binary.closed, 'close of the binary frame socket');
    const { client } = await connectDevice(gateway);
    const status = await client.request<{ port: number; authMode: string }>('status');
    expect(status.port).toBe(gateway.app.port);
    expect(status.authMode).toBe('token');
    client.close();
  });
});

describe('rate limiter', () => {
  it('locks a loopback browser on another allowed origin out after 10 wrong tokens, even for the right one', async () => {
    const origin = 'https://ui.example';
    gateway = await startTestGateway({
      config: { gateway: { controlUi: { allowedOrigins: [origin] } } },
    });
    const headers = { origin };
    for (let i = 0; i < 10; i++) {
      const error = await connectError(
        connectDevice(gateway, { headers, auth: { token: `wrong-${i}` } }),
      );
      expect(error.detailCode).toBe('AUTH_TOKEN_MISMATCH');
    }
    const locked = await connectError(
      connectDevice(gateway, { headers, auth: { token: gateway.token } }),
    );
    expect(locked.code).toBe('RATE_LIMITED');
    expect(locked.detailCode).toBe('AUTH_RATE_LIMITED');
    expect(locked.retryAfterMs).toBeGreaterThan(0);
    expect(locked.retryAfterMs).toBeLessThanOrEqual(300_000);
    // Other keys are not affected: a loopback client without Origin, and the Control UI on
    // the gateway's own origin (loopback clients are exempt in token mode).
    const { hello } = await connectDevice(gateway);
    expect(hello.type).toBe('hello-ok');
    const ui = await connectDevice(gateway, { headers: { origin: gateway.origin } });
    expect(ui.hello.type).toBe('hello-ok');
  });
});

describe('status', () => {
  it('reports version, bind, port, auth mode, connections and keychain state', async () => {
    gateway = await startTestGateway();
    const { client } = await connectDevice(gateway);
    const status = await client.request<Record<string, unknown>>('status');
    expect(status).toMatchObject({
      bind: 'loopback',
      port: gateway.app.port,
      authMode: 'token',
      connections: 1,
      pendingPairings: 0,
    });
    expect(status.keychain).toMatchObject({
      available: expect.any(Boolean),
      backend: 'secret-service',
    });
    expect(JSON.stringify(status)).not.toContain(gateway.token);
    client.close();
  });
});
