import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import {
  ClientAddressResolver,
  forwardingHeadersIn,
  type ResolvedClient,
} from './client-address.js';

function setup(trustedProxies: string[] = [], localAddresses: string[] = ['127.0.0.1', '::1']) {
  const warnings: string[] = [];
  const resolver = new ClientAddressResolver({
    trustedProxies,
    localAddresses: () => localAddresses,
    logger: { warn: (message) => warnings.push(message) },
  });
  return { resolver, warnings };
}

describe('ClientAddressResolver: locality', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['127.0.0.2', true],
    ['192.168.1.20', false],
    ['100.101.102.103', false],
  ])('a peer at %s with no forwarding headers is local: %s', (peerAddress, local) => {
    const { resolver } = setup();
    expect(resolver.resolve({ peerAddress, headers: {} }).isLocal).toBe(local);
  });

  it('treats a tailnet peer as local only when this host owns that address', () => {
    const { resolver } = setup([], ['127.0.0.1', '100.101.102.103', 'fd7a:115c:a1e0::42']);
    expect(resolver.resolve({ peerAddress: '100.101.102.103', headers: {} }).isLocal).toBe(true);
    expect(resolver.resolve({ peerAddress: 'fd7a:115c:a1e0::42', headers: {} }).isLocal).toBe(true);
    expect(resolver.resolve({ peerAddress: '100.101.102.104', headers: {} }).isLocal).toBe(false);
  });

  it('reports the normalised peer as the client', () => {
    const { resolver } = setup();
    expect(
      resolver.resolve({ peerAddress: '::ffff:192.0.2.4', headers: {} }),
    ).toEqual<ResolvedClient>({
      clientIp: '192.0.2.4',
      isLocal: false,
      viaProxy: false,
      forwarded: false,
    });
  });

  it('never treats a peer without a usable address as local', () => {
    const { resolver } = setup();
    expect(resolver.resolve({ peerAddress: undefined, headers: {} })).toMatchObject({
      isLocal: false,
    });
  });
});

describe('ClientAddressResolver: forwarding headers from an untrusted peer', () => {
  it('ignores a forged X-Forwarded-For: 127.0.0.1 and makes the request non-local', () => {
    const { resolver } = setup();
    const result = resolver.resolve({
      peerAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(result).toEqual({
      clientIp: '127.0.0.1',
      isLocal: false,
      viaProxy: false,
      forwarded: true,
    });
    const remote = resolver.resolve({
      peerAddress: '198.51.100.9',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(remote.clientIp).toBe('198.51.100.9');
  });

  it.each<IncomingHttpHeaders>([
    { 'x-real-ip': '127.0.0.1' },
    { forwarded: 'for=127.0.0.1' },
    { 'x-forwarded-proto': 'https' },
    { 'x-forwarded-server': 'edge-1' },
  ])('any forwarding header alone makes a loopback request non-local: %j', (headers) => {
    const { resolver } = setup();
    expect(resolver.resolve({ peerAddress: '127.0.0.1', headers })).toMatchObject({
      clientIp: '127.0.0.1',
      isLocal: false,
    });
  });

  it('logs once per peer, naming the headers and the fix', () => {
    const { resolver, warnings } = setup();
    for (let i = 0; i < 3; i += 1) {
      resolver.resolve({
        peerAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '1.2.3.4' },
      });
    }
    resolver.resolve({ peerAddress: '::ffff:127.0.0.1', headers: { forwarded: 'for=1.2.3.4' } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('x-forwarded-for, x-real-ip');
    expect(warnings[0]).toContain('127.0.0.1');
    expect(warnings[0]).toContain('gateway.trustedProxies');
    resolver.resolve({ peerAddress: '192.0.2.1', headers: { 'x-real-ip': '1.2.3.4' } });
    expect(warnings).toHaveLength(2);
  });

  it('remembers a bounded number of warned peers', () => {
    const warnings: string[] = [];
    const resolver = new ClientAddressResolver({
      trustedProxies: [],
      localAddresses: () => [],
      logger: { warn: (message) => warnings.push(message) },
      maxWarnedPeers: 2,
    });
    const headers = { 'x-real-ip': '1.2.3.4' };
    for (const peerAddress of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.3', '192.0.2.1']) {
      resolver.resolve({ peerAddress, headers });
    }
    // .1 was forgotten when .3 arrived, so it is warned about again.
    expect(warnings).toHaveLength(4);
  });
});

describe('ClientAddressResolver: trusted proxies', () => {
  it('takes the client from X-Forwarded-For behind a trusted proxy, never local', () => {
    const { resolver, warnings } = setup(['127.0.0.1']);
    expect(
      resolver.resolve({ peerAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } }),
    ).toEqual({
      clientIp: '203.0.113.7',
      isLocal: false,
      viaProxy: true,
      forwarded: true,
    });
    expect(warnings).toEqual([]);
  });

  it('is not local even when the proxy forgets its headers', () => {
    const { resolver } = setup(['127.0.0.2']);
    expect(resolver.resolve({ peerAddress: '127.0.0.2', headers: {} })).toEqual({
      clientIp: '127.0.0.2',
      isLocal: false,
      viaProxy: true,
      forwarded: false,
    });
  });

  it('walks right to left, skipping trusted hops, and stops at the first untrusted one', () => {
    const { resolver } = setup(['10.0.0.0/8', '127.0.0.1']);
    const resolve = (xff: string) =>
      resolver.resolve({ peerAddress: '127.0.0.1', headers: { 'x-forwarded-for': xff } }).clientIp;
    // The leftmost entry is whatever the client claimed; the untrusted hop before our proxies wins.
    expect(resolve('127.0.0.1, 198.51.100.2, 203.0.113.7, 10.1.1.1, 10.2.2.2')).toBe('203.0.113.7');
    expect(resolve('203.0.113.7,10.1.1.1')).toBe('203.0.113.7');
    expect(resolve('::ffff:203.0.113.7 , 10.1.1.1')).toBe('203.0.113.7');
    expect(resolve('[2001:db8::7], 10.1.1.1')).toBe('2001:db8::7');
    // Every hop trusted: the farthest one is the best we know.
    expect(resolve('10.3.3.3, 10.1.1.1')).toBe('10.3.3.3');
  });

  it('stops at a malformed hop and uses the last good one, or the proxy itself', () => {
    const { resolver } = setup(['10.0.0.0/8', '127.0.0.1']);
    const resolve = (xff: string | string[]) =>
      resolver.resolve({
        peerAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': xff },
      }).clientIp;
    expect(resolve('203.0.113.7, 127.1, 10.1.1.1')).toBe('10.1.1.1');
    expect(resolve('203.0.113.7, 0x7f.1')).toBe('127.0.0.1');
    expect(resolve('203.0.113.7, unknown')).toBe('127.0.0.1');
    expect(resolve('203.0.113.7,,10.1.1.1')).toBe('10.1.1.1');
    expect(resolve('203.0.113.7:443')).toBe('127.0.0.1');
    expect(resolve('')).toBe('127.0.0.1');
    expect(resolve(['198.51.100.1', '203.0.113.7'])).toBe('203.0.113.7');
  });

  it('reads nothing but X-Forwarded-For from a trusted proxy', () => {
    const { resolver } = setup(['127.0.0.1']);
    const result = resolver.resolve({
      peerAddress: '127.0.0.1',
      headers: { 'x-real-ip': '203.0.113.7', forwarded: 'for=203.0.113.7' },
    });
    expect(result.clientIp).toBe('127.0.0.1');
  });

  it('matches an IPv4 trusted proxy against a v4-mapped IPv6 peer', () => {
    const { resolver } = setup(['127.0.0.1']);
    const result = resolver.resolve({
      peerAddress: '::ffff:127.0.0.1',
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(result).toMatchObject({ clientIp: '203.0.113.7', viaProxy: true });
  });

  it('hot-reloads the list and keeps the old one when an entry is invalid', () => {
    const { resolver } = setup([]);
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    expect(resolver.resolve({ peerAddress: '127.0.0.1', headers }).clientIp).toBe('127.0.0.1');
    resolver.setTrustedProxies(['127.0.0.0/8']);
    expect(resolver.resolve({ peerAddress: '127.0.0.1', headers }).clientIp).toBe('203.0.113.7');

    let thrown: unknown;
    try {
      resolver.setTrustedProxies(['10.0.0.1', 'proxy.lan']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).message).toBe(
      'invalid trusted proxy "proxy.lan": expected an IP or CIDR such as 10.0.0.1 or 10.0.0.0/8',
    );
    expect((thrown as GatewayError).details).toMatchObject({
      code: 'CONFIG_INVALID',
      path: ['gateway', 'trustedProxies', 1],
    });
    expect(resolver.resolve({ peerAddress: '127.0.0.1', headers }).clientIp).toBe('203.0.113.7');
  });

  it('refuses an invalid entry at construction', () => {
    expect(() => setup(['10.0.0.0/40'])).toThrow('invalid trusted proxy "10.0.0.0/40"');
  });
});

describe('forwardingHeadersIn', () => {
  it('finds the named headers and any x-forwarded-*, and nothing else', () => {
    expect(
      forwardingHeadersIn({
        host: 'x',
        'x-forwarded-ssl': 'on',
        'x-real-ip': '1',
        'x-forwarder': 'no',
        forwarded: 'a',
      }),
    ).toEqual(['x-forwarded-ssl', 'x-real-ip', 'forwarded']);
  });
});
