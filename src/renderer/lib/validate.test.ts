import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  isIPv4,
  isIPv6,
  listErrors,
  originError,
  portError,
  proxyEntryError,
  validateProvider,
} from './validate.js';

describe('IP and CIDR checks', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '::1',
    'fd00::/8',
    '::ffff:127.0.0.1',
    '2001:db8::1/128',
    '1:2:3:4:5:6:7:8',
  ])('accepts %s', (entry) => expect(proxyEntryError(entry)).toBeUndefined());

  it.each([
    ['10.0.0.0/33', 'prefix length'],
    ['::/129', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'],
    ['256.1.1.1', 'not an IPv4 or IPv6'],
    ['127.1', 'not an IPv4 or IPv6'],
    ['0x7f.0.0.1', 'not an IPv4 or IPv6'],
    ['010.0.0.1', 'not an IPv4 or IPv6'],
    ['1::2::3', 'not an IPv4 or IPv6'],
    ['1:2:3:4:5:6:7:8:9', 'not an IPv4 or IPv6'],
    ['example.com', 'not an IPv4 or IPv6'],
    [' 10.0.0.1', 'spaces'],
    ['', 'Enter'],
    ['10.0.0.0/8/8', 'one "/"'],
  ])('refuses %s', (entry, reason) => {
    expect(proxyEntryError(entry)).toContain(reason);
  });

  it('agrees with ipaddr.js on every IPv6 address it prints', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const address = ipaddr.fromByteArray([...bytes]) as ipaddr.IPv6;
        const fixed = address.parts.map((part) => part.toString(16).padStart(4, '0')).join(':');
        return isIPv6(address.toString()) && isIPv6(address.toNormalizedString()) && isIPv6(fixed);
      }),
    );
  });

  it('agrees with ipaddr.js on arbitrary colon-hex strings', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f:]{0,40}$/),
        (text) => isIPv6(text) === ipaddr.IPv6.isValid(text),
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly the strict dotted quads', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), (parts) =>
        isIPv4(parts.join('.')),
      ),
    );
  });

  it('flags duplicates and each bad entry by its index', () => {
    expect([...listErrors(['10.0.0.1', 'nope', '10.0.0.1'], proxyEntryError).keys()]).toEqual([
      1, 2,
    ]);
  });
});

describe('originError', () => {
  it('accepts exact origins', () => {
    expect(originError('https://example.com')).toBeUndefined();
    expect(originError('http://127.0.0.1:8080')).toBeUndefined();
  });

  it.each([
    ['https://example.com/', 'Write it exactly as https://example.com'],
    ['https://Example.com', 'Write it exactly as https://example.com'],
    ['https://example.com:443', 'Write it exactly as https://example.com'],
    ['https://user@example.com', 'Write it exactly as https://example.com'],
    ['ftp://example.com', 'Only http and https'],
    ['example.com', 'scheme://host'],
    ['null', 'scheme://host'],
  ])('refuses %s', (origin, reason) => {
    expect(originError(origin)).toContain(reason);
  });
});

describe('portError', () => {
  it('accepts 0–65535 and refuses the rest', () => {
    expect(portError('18789')).toBeUndefined();
    expect(portError('0')).toBeUndefined();
    expect(portError('65536')).toContain('65535');
    expect(portError('80a')).toContain('whole number');
  });
});

describe('validateProvider', () => {
  it('returns upsert params for a good form, models split by line or comma', () => {
    const result = validateProvider({
      id: 'openai',
      type: 'openai',
      baseUrl: ' https://api.openai.com/v1 ',
      models: 'gpt-4o\n gpt-4o-mini, o3',
    });
    expect(result).toEqual({
      value: {
        id: 'openai',
        type: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        models: ['gpt-4o', 'gpt-4o-mini', 'o3'],
      },
      errors: {},
    });
  });

  it('names each bad field and returns no params', () => {
    const result = validateProvider({
      id: 'Open AI',
      type: 'gemini',
      baseUrl: 'ftp://x',
      models: '',
    });
    expect(result.value).toBeUndefined();
    expect(Object.keys(result.errors).sort()).toEqual(['baseUrl', 'id', 'type']);
  });
});
