import { describe, expect, it } from 'vitest';
import {
  ipMatchesAny,
  isLoopback,
  isTailnet,
  normalizeIp,
  parseIpOrCidr,
  type IpMatcher,
} from './ip.js';

function matchers(...entries: string[]): IpMatcher[] {
  return entries.map((entry) => {
    const parsed = parseIpOrCidr(entry);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.matcher;
  });
}

describe('normalizeIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['[::ffff:192.168.1.9]', '192.168.1.9'],
    ['fe80::1%eth0', 'fe80::1'],
    ['[fe80::1%eth0]', 'fe80::1'],
    ['FD7A:115C:A1E0:0:0:0:0:1', 'fd7a:115c:a1e0::1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    '127.1',
    '0x7f.1',
    '0x7f.0.0.1',
    '0177.0.0.1',
    '01.2.3.4',
    '2130706433',
    '::ffff:0177.0.0.1',
    '::ffff:127.1',
    '[127.0.0.1]',
    '127.0.0.1%eth0',
    ' 127.0.0.1',
    '127.0.0.1 ',
    '127.0.0.1:8080',
    '[::1]:8080',
    'fe80::1%',
    'localhost',
    '',
    '256.0.0.1',
  ])('rejects %j', (input) => {
    expect(normalizeIp(input)).toBeUndefined();
  });
});

describe('ranges', () => {
  it('treats every spelling of loopback as loopback and nothing else', () => {
    for (const ip of [
      '127.0.0.1',
      '127.255.255.254',
      '127.0.0.2',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopback(ip), ip).toBe(true);
    }
    for (const ip of [
      '128.0.0.1',
      '10.0.0.1',
      '::2',
      '::',
      '0.0.0.0',
      '127.1',
      '0x7f.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isLoopback(ip), ip).toBe(false);
    }
  });

  it('recognises the tailnet ranges at their edges', () => {
    for (const ip of [
      '100.64.0.1',
      '100.127.255.255',
      'fd7a:115c:a1e0::5',
      'fd7a:115c:a1e0:ffff::1',
    ]) {
      expect(isTailnet(ip), ip).toBe(true);
    }
    for (const ip of ['100.63.255.255', '100.128.0.0', 'fd7a:115c:a1e1::1', '127.0.0.1']) {
      expect(isTailnet(ip), ip).toBe(false);
    }
  });
});

describe('parseIpOrCidr and ipMatchesAny', () => {
  it('names the bad entry and shows the expected form', () => {
    for (const entry of [
      '10.0.0',
      '10.0.0.0/33',
      '10.0.0.0/',
      'proxy.local',
      '127.1',
      '::1/129',
      '10.0.0.0/8/8',
    ]) {
      const parsed = parseIpOrCidr(entry);
      expect(parsed).toEqual({
        ok: false,
        error: `invalid trusted proxy "${entry}": expected an IP or CIDR such as 10.0.0.1 or 10.0.0.0/8`,
      });
    }
  });

  it('matches single IPs and CIDRs of both families', () => {
    const list = matchers('10.0.0.0/8', '192.168.1.5', 'fd00::/8', '::1');
    expect(ipMatchesAny('10.200.3.4', list)).toBe(true);
    expect(ipMatchesAny('192.168.1.5', list)).toBe(true);
    expect(ipMatchesAny('192.168.1.6', list)).toBe(false);
    expect(ipMatchesAny('fd12::1', list)).toBe(true);
    expect(ipMatchesAny('[::1]', list)).toBe(true);
    expect(ipMatchesAny('11.0.0.1', list)).toBe(false);
    expect(ipMatchesAny('not an ip', list)).toBe(false);
  });

  it('lets IPv4 entries match IPv4-mapped IPv6 peers', () => {
    const list = matchers('10.0.0.0/8', '127.0.0.2');
    expect(ipMatchesAny('::ffff:10.1.2.3', list)).toBe(true);
    expect(ipMatchesAny('::ffff:127.0.0.2', list)).toBe(true);
    expect(ipMatchesAny('::ffff:127.0.0.1', list)).toBe(false);
  });

  it('reads a v4-mapped CIDR as the IPv4 network it names', () => {
    const list = matchers('::ffff:10.0.0.0/104');
    expect(ipMatchesAny('10.9.9.9', list)).toBe(true);
    expect(ipMatchesAny('11.0.0.1', list)).toBe(false);
  });
});
