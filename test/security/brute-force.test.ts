/**
 * Brute force on the token, the password and device tokens: 10 wrong secrets in 60 s lock
 * the client out for 5 minutes (checked before any signature work), the lockout ends on
 * time, and clients under another key — the pre-paired device — are not locked out with
 * it (in password mode the whole loopback range is one key). The clock is injected; the
 * device signatures use the same clock. More lockout cases: lockout.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectAuth } from '../../src/shared/gateway-client.js';
import type { GatewayClientError } from '../../src/shared/gateway-client.js';
import { newIdentity } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways, signedParams } from './support.js';

const PROXY = '127.0.0.2';
const LOCKOUT_MS = 300_000;
const WINDOW_MS = 60_000;
const start = guardedGateways();

interface From {
  localAddress: string;
  headers?: Record<string, string>;
}
/** A remote client behind the trusted proxy. */
const REMOTE: From = { localAddress: PROXY, headers: { 'x-forwarded-for': '203.0.113.77' } };
/** Another loopback address than the pre-paired device's 127.0.0.1 (its own key in token mode only). */
const OTHER_LOOPBACK: From = { localAddress: '127.0.0.3' };

/** One connect attempt; returns the details.code (or 'admitted') and retryAfterMs. */
async function attempt(g: GuardedGateway, from: From, auth: ConnectAuth) {
  const client = g.guard.client({ identity: await newIdentity(), auth, ...from });
  return client.connect().then(
    () => {
      client.close();
      return { code: 'admitted', retryAfterMs: undefined };
    },
    (error: GatewayClientError) => ({ code: error.detailCode, retryAfterMs: error.retryAfterMs }),
  );
}

async function failTenTimes(
  g: GuardedGateway,
  from: From,
  wrong: (i: number) => ConnectAuth,
  expected: string,
) {
  for (let i = 0; i < 10; i++) expect((await attempt(g, from, wrong(i))).code).toBe(expected);
}

describe('token', () => {
  it('locks a remote client out for 5 minutes after 10 wrong tokens, then lets the right one through', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    await failTenTimes(g, REMOTE, (i) => ({ token: `guess-${i}` }), 'AUTH_TOKEN_MISMATCH');
    expect(await attempt(g, REMOTE, g.sharedAuth)).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: LOCKOUT_MS,
    });
    await g.guard.prePairedConnectMs();
    g.clock.advance(LOCKOUT_MS - 1);
    expect(await attempt(g, REMOTE, g.sharedAuth)).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: 1,
    });
    g.clock.advance(1);
    // Past the lockout the right token passes auth; a remote device then waits for pairing.
    expect((await attempt(g, REMOTE, g.sharedAuth)).code).toBe('PAIRING_REQUIRED');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });

  it('forgets failures older than the 60 s window', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    for (let i = 0; i < 9; i++) await attempt(g, REMOTE, { token: `old-${i}` });
    g.clock.advance(WINDOW_MS + 1);
    for (let i = 0; i < 9; i++)
      expect((await attempt(g, REMOTE, { token: `new-${i}` })).code).toBe('AUTH_TOKEN_MISMATCH');
    expect((await attempt(g, REMOTE, g.sharedAuth)).code).toBe('PAIRING_REQUIRED');
    expect((await attempt(g, REMOTE, { token: 'tenth' })).code).toBe('AUTH_TOKEN_MISMATCH');
    expect((await attempt(g, REMOTE, g.sharedAuth)).code).toBe('AUTH_RATE_LIMITED');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('password', () => {
  const password = 'correct horse battery staple';

  it('locks every loopback client out after 10 wrong passwords, the pre-paired device too, until the lockout ends', async () => {
    const g = await start({ password });
    await failTenTimes(
      g,
      OTHER_LOOPBACK,
      (i) => ({ password: `guess-${i}` }),
      'AUTH_PASSWORD_MISMATCH',
    );
    expect((await attempt(g, OTHER_LOOPBACK, { password })).code).toBe('AUTH_RATE_LIMITED');
    // In password mode the loopback range is one key (DESIGN.md "Failed secrets"): a local
    // guesser gets no extra tries from another 127.x address, and waits with everyone local.
    const prePaired = g.guard.client({
      identity: g.guard.prePaired.identity,
      auth: { deviceToken: g.guard.prePaired.deviceToken },
    });
    const refused = await prePaired.connect().then(
      () => undefined,
      (error: GatewayClientError) => error.detailCode,
    );
    expect(refused, 'the pre-paired device on 127.0.0.1 during the lockout').toBe(
      'AUTH_RATE_LIMITED',
    );
    g.clock.advance(LOCKOUT_MS);
    await g.guard.prePairedConnectMs();
    expect((await attempt(g, OTHER_LOOPBACK, { password })).code).toBe('admitted');
    await g.guard.check({ allowChanged: ['pairing-store', 'paired-devices'] });
  });

  it('does not count a missing password as a failure', async () => {
    const g = await start({ password });
    for (let i = 0; i < 15; i++)
      expect((await attempt(g, OTHER_LOOPBACK, {})).code).toBe('AUTH_PASSWORD_MISSING');
    expect((await attempt(g, OTHER_LOOPBACK, { password })).code).toBe('admitted');
    await g.guard.check({ allowChanged: ['pairing-store', 'paired-devices'] });
  });
});

describe('device token', () => {
  it('locks out a remote client guessing device tokens, before any signature work, until the window ends', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
    await failTenTimes(
      g,
      REMOTE,
      (i) => ({ deviceToken: `guess-${i}`.padEnd(43, 'x') }),
      'AUTH_DEVICE_TOKEN_MISMATCH',
    );
    // A locked client learns nothing else: even a forged signature gets the lockout answer.
    const socket = g.guard.raw(REMOTE);
    const nonce = await socket.challengeNonce();
    const params = await signedParams(nonce, { auth: g.sharedAuth, signedAtMs: g.clock.now() });
    (params.device as { signature: string }).signature = 'A'.repeat(86);
    socket.send({ type: 'req', id: 'c', method: 'connect', params });
    const response = await socket.response('c');
    expect(response.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { code: 'AUTH_RATE_LIMITED' },
      retryAfterMs: LOCKOUT_MS,
    });
    expect((await socket.closed).code).toBe(1008);
    g.clock.advance(LOCKOUT_MS);
    expect((await attempt(g, REMOTE, g.sharedAuth)).code).toBe('PAIRING_REQUIRED');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});
