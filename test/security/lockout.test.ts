/**
 * The failed-secret lockout (DESIGN.md "Auth and locality", "Failed secrets"): every wrong
 * secret counts, also next to a valid device token; the limit holds under concurrent
 * guesses; a client can only lock out its own key; in password mode the loopback range is
 * one key. Real defaults (10 failures in 60 s, 5 min) except where a case says otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import type { ConnectAuth, GatewayClientError } from '../../src/shared/gateway-client.js';
import type { HelloOk } from '../../src/shared/protocol.js';
import { newIdentity, type RawSocket } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways, signedParams } from './support.js';

const PROXY = '127.0.0.2';
const LOCKOUT_MS = 300_000;
const start = guardedGateways();
const startBehindProxy = () => start({ config: { gateway: { trustedProxies: [PROXY] } } });

interface From {
  localAddress?: string;
  headers?: Record<string, string>;
}
/** A remote client behind the trusted proxy. */
const REMOTE: From = { localAddress: PROXY, headers: { 'x-forwarded-for': '203.0.113.50' } };

type Outcome =
  | { code: 'admitted'; hello: HelloOk }
  | { code: string | undefined; retryAfterMs: number | undefined };

/** One connect attempt: the hello-ok, or the refusal's details.code and retryAfterMs. */
async function attempt(
  g: GuardedGateway,
  from: From,
  auth: ConnectAuth,
  identity?: DeviceIdentity,
): Promise<Outcome> {
  const client = g.guard.client({ identity: identity ?? (await newIdentity()), auth, ...from });
  return client.connect().then(
    async (hello): Promise<Outcome> => {
      client.close();
      await client.closed();
      return { code: 'admitted', hello };
    },
    (error: GatewayClientError) => ({ code: error.detailCode, retryAfterMs: error.retryAfterMs }),
  );
}

/** The pre-paired device presenting its valid device token plus `extra`. */
function asPrePaired(g: GuardedGateway, from: From, extra: ConnectAuth) {
  const { identity, deviceToken } = g.guard.prePaired;
  return attempt(g, from, { ...extra, deviceToken }, identity);
}

describe('a wrong secret next to a valid device token', () => {
  const password = 'correct horse battery staple';

  it('counts in password mode: a paired device guessing the password is locked out after 10', async () => {
    const g = await start({ password });
    for (let i = 0; i < 10; i++) {
      const outcome = await asPrePaired(g, {}, { password: `guess-${i}` });
      expect(outcome.code, `guess ${i + 1} is admitted by the device token`).toBe('admitted');
    }
    expect(await asPrePaired(g, {}, {})).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: LOCKOUT_MS,
    });
    g.clock.advance(LOCKOUT_MS);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });

  it('admits with the same hello-ok whether the password beside it was right or wrong', async () => {
    const g = await start({ password });
    const shape = (outcome: Outcome) =>
      'hello' in outcome
        ? {
            code: outcome.code,
            auth: outcome.hello.auth,
            authMode: outcome.hello.snapshot.authMode,
          }
        : outcome;
    const right = shape(await asPrePaired(g, {}, { password }));
    // A right password must not buy a fresh device token that a wrong one does not.
    expect(right, 'hello-ok with the right password').toEqual({
      code: 'admitted',
      auth: undefined,
      authMode: 'password',
    });
    const wrong = shape(await asPrePaired(g, {}, { password: 'not-it' }));
    expect(wrong, 'hello-ok with a wrong password').toEqual(right);
    // Paired devices and their token hashes unchanged: the device token was not replaced.
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });

  it('counts in token mode: a paired device guessing the token from a remote address is locked out after 10', async () => {
    const g = await startBehindProxy();
    for (let i = 0; i < 10; i++) {
      const outcome = await asPrePaired(g, REMOTE, { token: `guess-${i}` });
      expect(outcome.code, `guess ${i + 1} is admitted by the device token`).toBe('admitted');
    }
    expect(await asPrePaired(g, REMOTE, {})).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: LOCKOUT_MS,
    });
    // Its own key only: the same device from loopback still connects.
    await g.guard.prePairedConnectMs();
    g.clock.advance(LOCKOUT_MS);
    expect((await asPrePaired(g, REMOTE, {})).code).toBe('admitted');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('concurrent guesses', () => {
  it('checks at most 10 of 60 simultaneous wrong tokens from one address; the rest are rate limited', async () => {
    // 60 sockets from one address exceed the 32 unauthenticated sockets it may hold
    // (flooding.test.ts); raised here so every guess reaches the lockout.
    const g = await start({
      config: { gateway: { trustedProxies: [PROXY] } },
      limits: { maxUnauthenticatedPerAddress: 64 },
    });
    const sockets: RawSocket[] = [];
    for (let i = 0; i < 60; i++) sockets.push(g.guard.raw(REMOTE));
    const frames = await Promise.all(
      sockets.map(async (socket, i) => {
        const nonce = await socket.challengeNonce();
        const params = await signedParams(nonce, {
          auth: { token: `guess-${i}` },
          signedAtMs: g.clock.now(),
        });
        return { type: 'req', id: 'c', method: 'connect', params };
      }),
    );
    // All 60 leave in one tick, so they reach the gateway before any signature is checked.
    sockets.forEach((socket, i) => socket.send(frames[i]));
    const answers = await Promise.all(sockets.map((socket) => socket.response('c')));
    const codes = answers.map((answer) => answer.error?.details?.code);
    const count = (code: string) => codes.filter((c) => c === code).length;
    expect(
      { mismatch: count('AUTH_TOKEN_MISMATCH'), rateLimited: count('AUTH_RATE_LIMITED') },
      'answers to 60 simultaneous wrong tokens',
    ).toEqual({ mismatch: 10, rateLimited: 50 });
    for (const answer of answers.filter((a) => a.error?.details?.code === 'AUTH_RATE_LIMITED'))
      expect(answer.error?.retryAfterMs).toBeGreaterThan(0);
    expect(await attempt(g, REMOTE, g.sharedAuth)).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: LOCKOUT_MS,
    });
    await g.guard.check();
  });
});

describe('a forged Origin', () => {
  it("from a remote client locks out only that client, not the owner's local browser on the same Origin", async () => {
    const g = await startBehindProxy();
    const forged: From = { ...REMOTE, headers: { ...REMOTE.headers, origin: g.gateway.origin } };
    for (let i = 0; i < 10; i++)
      expect((await attempt(g, forged, { token: `guess-${i}` })).code).toBe('AUTH_TOKEN_MISMATCH');
    expect((await attempt(g, forged, g.sharedAuth)).code).toBe('AUTH_RATE_LIMITED');
    const owner = await attempt(g, { headers: { origin: g.gateway.origin } }, g.sharedAuth);
    expect(owner.code, "the owner's browser on loopback").toBe('admitted');
    await g.guard.check({ allowChanged: ['pairing-store', 'paired-devices'] });
  });

  it('from loopback locks nothing in token mode', async () => {
    const g = await startBehindProxy();
    const forger: From = { localAddress: '127.0.0.3', headers: { origin: g.gateway.origin } };
    for (let i = 0; i < 15; i++)
      expect((await attempt(g, forger, { token: `guess-${i}` })).code).toBe('AUTH_TOKEN_MISMATCH');
    const owner = await attempt(g, { headers: { origin: g.gateway.origin } }, g.sharedAuth);
    expect(owner.code, "the owner's browser on loopback").toBe('admitted');
    await g.guard.check({ allowChanged: ['pairing-store', 'paired-devices'] });
  });
});

describe('password mode on loopback', () => {
  const password = 'correct horse battery staple';

  it('counts wrong passwords from every 127.x address under one key', async () => {
    // The mode is in the config too: the guarded gateway rewrites `config` on its later runs.
    const g = await start({
      password,
      config: { gateway: { trustedProxies: [PROXY], auth: { mode: 'password' } } },
    });
    for (let i = 0; i < 10; i++) {
      const from = { localAddress: `127.0.0.${3 + i}` };
      expect((await attempt(g, from, { password: `guess-${i}` })).code).toBe(
        'AUTH_PASSWORD_MISMATCH',
      );
    }
    expect((await attempt(g, { localAddress: '127.0.0.13' }, { password })).code).toBe(
      'AUTH_RATE_LIMITED',
    );
    // One key for the whole range: the pre-paired device on 127.0.0.1 waits too ...
    expect((await asPrePaired(g, {}, {})).code).toBe('AUTH_RATE_LIMITED');
    // ... but a remote client has a key of its own.
    expect((await attempt(g, REMOTE, { password })).code).toBe('PAIRING_REQUIRED');
    g.clock.advance(LOCKOUT_MS);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });

  it('gives no extra guesses to a local process that forges forwarding headers on half of them', async () => {
    const g = await start({
      password,
      config: { gateway: { trustedProxies: [PROXY], auth: { mode: 'password' } } },
    });
    const forged = { localAddress: '127.0.0.9', headers: { 'x-forwarded-for': '198.51.100.1' } };
    for (let i = 0; i < 10; i++) {
      const from = i % 2 === 0 ? forged : { localAddress: '127.0.0.9' };
      expect((await attempt(g, from, { password: `guess-${i}` })).code).toBe(
        'AUTH_PASSWORD_MISMATCH',
      );
    }
    expect((await attempt(g, forged, { password: 'guess-10' })).code, 'the 11th guess').toBe(
      'AUTH_RATE_LIMITED',
    );
    g.clock.advance(LOCKOUT_MS);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('IPv6 clients', () => {
  const password = 'correct horse battery staple';

  it('counts wrong passwords from every address of one /64 under one key (SLAAC gives a LAN host any number)', async () => {
    const g = await start({
      password,
      config: { gateway: { trustedProxies: [PROXY], auth: { mode: 'password' } } },
    });
    const from = (host: number): From => ({
      localAddress: PROXY,
      headers: { 'x-forwarded-for': `2001:db8:1:2::${host.toString(16)}` },
    });
    for (let i = 0; i < 10; i++) {
      expect((await attempt(g, from(i + 1), { password: `guess-${i}` })).code).toBe(
        'AUTH_PASSWORD_MISMATCH',
      );
    }
    expect(
      (await attempt(g, from(0xbeef), { password })).code,
      'the right password from an 11th address of the same /64',
    ).toBe('AUTH_RATE_LIMITED');
    // Another /64 is another key.
    const elsewhere = { localAddress: PROXY, headers: { 'x-forwarded-for': '2001:db8:1:3::1' } };
    expect((await attempt(g, elsewhere, { password })).code).toBe('PAIRING_REQUIRED');
    g.clock.advance(LOCKOUT_MS);
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('the comparison', () => {
  it('refuses a wrong token of the right length', async () => {
    const g = await startBehindProxy();
    const { token } = g.gateway;
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const sameLength = `${token.slice(0, -1)}${last}`;
    expect(sameLength).toHaveLength(token.length);
    expect((await attempt(g, REMOTE, { token: sameLength })).code).toBe('AUTH_TOKEN_MISMATCH');
    expect((await attempt(g, {}, { token: sameLength })).code).toBe('AUTH_TOKEN_MISMATCH');
    await g.guard.check();
  });
});

describe('limits', () => {
  it('takes the lockout limits from the gateway options', async () => {
    const g = await start({
      config: { gateway: { trustedProxies: [PROXY] } },
      limits: { lockoutMaxFailures: 2, lockoutWindowMs: 1000, lockoutMs: 5000 },
    });
    for (let i = 0; i < 2; i++)
      expect((await attempt(g, REMOTE, { token: `guess-${i}` })).code).toBe('AUTH_TOKEN_MISMATCH');
    expect(await attempt(g, REMOTE, g.sharedAuth)).toEqual({
      code: 'AUTH_RATE_LIMITED',
      retryAfterMs: 5000,
    });
    g.clock.advance(5000);
    expect((await attempt(g, REMOTE, g.sharedAuth)).code).toBe('PAIRING_REQUIRED');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});
