/**
 * Proxy spoofing: forwarding headers alone and combined, from an untrusted peer (ignored
 * for the address, and the request is not local) and from the trusted proxy (only
 * X-Forwarded-For is read, right to left). Malformed X-Forwarded-For lists.
 */
import { describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { newIdentity } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways } from './support.js';

/** 127.0.0.2 plays the same-host reverse proxy; 127.0.0.1 is an untrusted local peer. */
const PROXY = '127.0.0.2';
const UNTRUSTED = '127.0.0.1';
const start = guardedGateways();
const startBehindProxy = () => start({ config: { gateway: { trustedProxies: [PROXY] } } });

/**
 * Connects a fresh device with the right token; returns how the gateway saw it: `local`
 * (silently paired) or the `remoteIp` of the pairing request it had to make.
 */
async function attempt(g: GuardedGateway, from: string, headers: Record<string, string>) {
  const identity = await newIdentity();
  const client = g.guard.client({ identity, auth: g.sharedAuth, localAddress: from, headers });
  const outcome = await client.connect().then(
    () => 'local' as const,
    (error: unknown) => error,
  );
  client.close();
  if (outcome === 'local') return { local: true, remoteIp: undefined };
  expect(outcome).toBeInstanceOf(GatewayClientError);
  expect((outcome as GatewayClientError).detailCode).toBe('PAIRING_REQUIRED');
  const request = g.gateway.app.pairing
    .list()
    .pending.find((r) => r.deviceId === identity.deviceId);
  return { local: false, remoteIp: request?.remoteIp };
}

const FORWARDING: readonly [string, Record<string, string>][] = [
  ['Forwarded', { forwarded: 'for=127.0.0.1;proto=http;host=localhost' }],
  ['X-Forwarded-For', { 'x-forwarded-for': '127.0.0.1' }],
  ['X-Forwarded-Host', { 'x-forwarded-host': 'localhost' }],
  ['X-Forwarded-Proto', { 'x-forwarded-proto': 'http' }],
  ['X-Forwarded-Port', { 'x-forwarded-port': '18789' }],
  ['X-Real-IP', { 'x-real-ip': '127.0.0.1' }],
  ['a made-up X-Forwarded-Client', { 'x-forwarded-client': '127.0.0.1' }],
  ['an upper-case X-FORWARDED-FOR', { 'X-FORWARDED-FOR': '127.0.0.1' }],
  ['an empty X-Forwarded-For', { 'x-forwarded-for': '' }],
  [
    'every header at once',
    {
      forwarded: 'for=127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': 'localhost',
      'x-forwarded-proto': 'http',
      'x-real-ip': '127.0.0.1',
    },
  ],
];

describe('from an untrusted local peer', () => {
  it('a peer with no forwarding header is local and paired silently (baseline)', async () => {
    const g = await startBehindProxy();
    expect(await attempt(g, UNTRUSTED, {})).toEqual({ local: true, remoteIp: undefined });
    await g.guard.check({ allowChanged: ['pairing-store', 'paired-devices'] });
  });

  for (const [name, headers] of FORWARDING) {
    it(`${name} makes the request non-local and does not move its address`, async () => {
      const g = await startBehindProxy();
      expect(await attempt(g, UNTRUSTED, headers)).toEqual({ local: false, remoteIp: UNTRUSTED });
      await g.guard.check({ allowChanged: ['pairing-store'] });
    });
  }
});

describe('from the trusted proxy', () => {
  const cases: readonly [string, Record<string, string>, string][] = [
    ['no header (a proxy that forgot its headers)', {}, PROXY],
    [
      'X-Forwarded-For: 127.0.0.1 (a proxy vouching for loopback)',
      { 'x-forwarded-for': '127.0.0.1' },
      '127.0.0.1',
    ],
    ['X-Forwarded-For of a remote client', { 'x-forwarded-for': '203.0.113.9' }, '203.0.113.9'],
    [
      'a spoofed hop left of the real client',
      { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' },
      '203.0.113.9',
    ],
    [
      'a trusted hop right of the client',
      { 'x-forwarded-for': `203.0.113.9, ${PROXY}` },
      '203.0.113.9',
    ],
    ['X-Real-IP alone (not read)', { 'x-real-ip': '198.51.100.1' }, PROXY],
    ['Forwarded alone (not read)', { forwarded: 'for=198.51.100.1' }, PROXY],
    [
      'X-Real-IP and X-Forwarded-For disagreeing',
      { 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '203.0.113.9' },
      '203.0.113.9',
    ],
    [
      'Forwarded and X-Forwarded-For disagreeing',
      { forwarded: 'for=127.0.0.1', 'x-forwarded-for': '203.0.113.9' },
      '203.0.113.9',
    ],
  ];
  for (const [name, headers, expected] of cases) {
    it(`${name}: never local, client address ${expected}`, async () => {
      const g = await startBehindProxy();
      expect(await attempt(g, PROXY, headers)).toEqual({ local: false, remoteIp: expected });
      await g.guard.check({ allowChanged: ['pairing-store'] });
    });
  }
});

describe('malformed X-Forwarded-For lists from the trusted proxy', () => {
  const cases: readonly [string, string, string][] = [
    ['empty', '', PROXY],
    ['only commas', ' , ,', PROXY],
    ['garbage', 'not-an-ip', PROXY],
    ['garbage as the last hop', '203.0.113.9, not-an-ip', PROXY],
    ['garbage left of a good hop', 'not-an-ip, 203.0.113.9', '203.0.113.9'],
    ['a hop with a port', '203.0.113.9:4711', PROXY],
    ['an out-of-range address', '256.1.1.1', PROXY],
    ['the word unknown', 'unknown', PROXY],
    ['a bracketed IPv6 hop', '[2001:db8::1]', '2001:db8::1'],
    [
      'a thousand spoofed hops before the client',
      `${'10.0.0.1, '.repeat(1000)}203.0.113.9`,
      '203.0.113.9',
    ],
  ];
  for (const [name, value, expected] of cases) {
    it(`${name}: address ${expected}, never local`, async () => {
      const g = await startBehindProxy();
      expect(await attempt(g, PROXY, { 'x-forwarded-for': value })).toEqual({
        local: false,
        remoteIp: expected,
      });
      await g.guard.check({ allowChanged: ['pairing-store'] });
    });
  }
});

describe('spoofing against the lockout', () => {
  it('rotating spoofed hops does not dodge the lockout of the real client behind the proxy', async () => {
    const g = await startBehindProxy();
    const wrong = async (i: number) => {
      const client = g.guard.client({
        identity: await newIdentity(),
        auth: { token: `wrong-${i}` },
        localAddress: PROXY,
        headers: { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.50` },
      });
      return client.connect().then(
        () => 'admitted',
        (error: GatewayClientError) => error.detailCode,
      );
    };
    for (let i = 0; i < 10; i++) expect(await wrong(i)).toBe('AUTH_TOKEN_MISMATCH');
    expect(await wrong(10)).toBe('AUTH_RATE_LIMITED');
    // The pre-paired device on 127.0.0.1 is another client: not locked out.
    await g.guard.check();
  });
});
