import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { RequestGates, type RequestGatesOptions } from './request-gates.js';

const PORT = 18789;

function gates(overrides: Partial<RequestGatesOptions> = {}): RequestGates {
  return new RequestGates({
    port: PORT,
    listenAddresses: ['127.0.0.1'],
    allowedHosts: [],
    allowedOrigins: [],
    ...overrides,
  });
}

describe('RequestGates.checkHost', () => {
  it.each([
    '127.0.0.1:18789',
    'localhost:18789',
    'LOCALHOST:18789',
    'LocalHost:18789',
    '[::1]:18789',
  ])('allows the built-in host %s', (host) => {
    expect(gates().checkHost(host)).toEqual({ ok: true });
  });

  it.each([
    ['localhost.:18789', 'trailing dot'],
    ['localhost', 'missing port'],
    ['127.0.0.1', 'missing port'],
    ['localhost:18790', 'other port'],
    ['localhost:018789', 'padded port'],
    ['localhost:', 'empty port'],
    ['a@127.0.0.1:18789', 'userinfo'],
    ['127.0.0.1:18789@evil.example', 'userinfo the other way round'],
    [' localhost:18789', 'whitespace'],
    ['localhost :18789', 'whitespace'],
    ['127.1:18789', 'short IPv4'],
    ['0x7f.0.0.1:18789', 'hex IPv4'],
    ['[::ffff:127.0.0.1]:18789', 'mapped IPv6'],
    ['::1:18789', 'IPv6 without brackets'],
    ['evil.example:18789', 'rebinding name'],
    ['localhost.evil.example:18789', 'suffix trick'],
  ])('refuses %j (%s)', (host) => {
    expect(gates().checkHost(host)).toEqual({ ok: false, reason: `host not allowed: ${host}` });
  });

  it('refuses a missing Host', () => {
    expect(gates().checkHost(undefined)).toEqual({ ok: false, reason: 'host header missing' });
    expect(gates().checkHost('')).toEqual({ ok: false, reason: 'host header missing' });
  });

  it('allows each listen address, with IPv6 in brackets', () => {
    const lan = gates({ listenAddresses: ['192.168.1.20', 'FD7A:115C:A1E0:0::5'] });
    expect(lan.checkHost('192.168.1.20:18789')).toEqual({ ok: true });
    expect(lan.checkHost('[fd7a:115c:a1e0::5]:18789')).toEqual({ ok: true });
    expect(lan.checkHost('[FD7A:115C:A1E0::5]:18789')).toEqual({ ok: true });
    expect(gates().checkHost('192.168.1.20:18789').ok).toBe(false);
  });

  it('allows exact allowedHosts entries, case-insensitively, and nothing near them', () => {
    const g = gates({ allowedHosts: ['Gateway.Example:443'] });
    expect(g.checkHost('gateway.example:443')).toEqual({ ok: true });
    expect(g.checkHost('GATEWAY.EXAMPLE:443')).toEqual({ ok: true });
    expect(g.checkHost('gateway.example').ok).toBe(false);
    expect(g.checkHost('gateway.example:18789').ok).toBe(false);
    expect(g.checkHost('sub.gateway.example:443').ok).toBe(false);
  });

  it('accepts the bare host only when the gateway really is on port 80', () => {
    expect(gates({ port: 80 }).checkHost('localhost')).toEqual({ ok: true });
    expect(gates({ port: 80 }).checkHost('localhost:80')).toEqual({ ok: true });
  });

  it('keeps reasons printable and short', () => {
    const result = gates().checkHost(`evil\u0007${'x'.repeat(500)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^host not allowed: evil\?x+…$/);
      expect(result.reason.length).toBeLessThan(160);
    }
  });
});

describe('RequestGates.checkOrigin', () => {
  it('lets non-browser clients (no Origin) through', () => {
    expect(gates().checkOrigin(undefined)).toEqual({ ok: true, browser: false, ownOrigin: false });
  });

  it('refuses Origin: null', () => {
    expect(gates().checkOrigin('null')).toEqual({ ok: false, reason: 'origin "null" not allowed' });
  });

  it.each([
    'http://127.0.0.1:18789',
    'http://localhost:18789',
    'HTTP://LOCALHOST:18789',
    'http://[::1]:18789',
  ])('recognises the own origin %s', (origin) => {
    expect(gates().checkOrigin(origin)).toEqual({ ok: true, browser: true, ownOrigin: true });
  });

  it.each([
    'http://evil.example',
    'http://localhost:18790',
    'http://localhost',
    'https://localhost:18789',
    'http://localhost.:18789',
  ])('refuses the foreign origin %s', (origin) => {
    expect(gates().checkOrigin(origin)).toEqual({
      ok: false,
      reason: `origin not allowed: ${origin}`,
    });
  });

  it.each([
    'http://a@localhost:18789',
    'http://localhost:18789/',
    'http://localhost:18789/ui',
    'http://localhost:18789?x',
    'http://127.1:18789',
    'http://localhost:018789',
    'file:///etc/passwd',
    'ws://localhost:18789',
    'localhost:18789',
    ' http://localhost:18789',
    '',
  ])('refuses the malformed origin %j', (origin) => {
    expect(gates().checkOrigin(origin)).toEqual({
      ok: false,
      reason: `origin malformed: ${origin}`,
    });
  });

  it('allows origins of allowedHosts and allowedOrigins, but does not call them own', () => {
    const g = gates({
      allowedHosts: ['gateway.example:8443'],
      allowedOrigins: ['https://UI.example/'],
    });
    expect(g.checkOrigin('http://gateway.example:8443')).toEqual({
      ok: true,
      browser: true,
      ownOrigin: false,
    });
    expect(g.checkOrigin('https://ui.example')).toEqual({
      ok: true,
      browser: true,
      ownOrigin: false,
    });
    expect(g.checkOrigin('https://ui.example:443')).toEqual({
      ok: false,
      reason: 'origin malformed: https://ui.example:443',
    });
    expect(g.checkOrigin('http://ui.example')).toMatchObject({ ok: false });
    expect(g.ownOrigins()).toEqual([
      'http://127.0.0.1:18789',
      'http://localhost:18789',
      'http://[::1]:18789',
    ]);
  });

  it('lists listen addresses among the own origins', () => {
    const g = gates({ listenAddresses: ['192.168.1.20'] });
    expect(g.ownOrigins()).toContain('http://192.168.1.20:18789');
    expect(g.checkOrigin('http://192.168.1.20:18789')).toMatchObject({ ok: true, ownOrigin: true });
  });
});

describe('RequestGates with TLS', () => {
  const own = { ok: true, browser: true, ownOrigin: true };

  it('calls the https:// origins its own and refuses their http:// twins', () => {
    const tls = gates({ tls: true, listenAddresses: ['127.0.0.1', '192.0.2.7'] });
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '192.0.2.7']) {
      expect(tls.checkOrigin(`https://${host}:${PORT}`)).toEqual(own);
      expect(tls.checkOrigin(`http://${host}:${PORT}`)).toMatchObject({ ok: false });
    }
    expect(tls.ownOrigins()).toContain(`https://192.0.2.7:${PORT}`);
  });

  it('gives allowedHosts https:// origins too, and keeps TLS across a hot reload', () => {
    const tls = gates({ tls: true, allowedHosts: ['agent.example:18789'] });
    tls.update({
      port: PORT,
      listenAddresses: ['127.0.0.1'],
      allowedHosts: ['agent.example:18789'],
      allowedOrigins: [],
    });
    expect(tls.checkOrigin('https://agent.example:18789')).toEqual({
      ok: true,
      browser: true,
      ownOrigin: false,
    });
    expect(tls.checkOrigin('http://agent.example:18789')).toMatchObject({ ok: false });
    expect(tls.checkOrigin(`https://127.0.0.1:${PORT}`)).toEqual(own);
  });

  it('accepts the bare host on port 443, where browsers leave the port out', () => {
    const tls = gates({ tls: true, port: 443 });
    expect(tls.checkHost('localhost')).toEqual({ ok: true });
    expect(tls.checkOrigin('https://localhost')).toEqual(own);
    expect(gates({ port: 443 }).checkHost('localhost')).toMatchObject({ ok: false });
  });
});

describe('RequestGates.update', () => {
  it('applies a hot reload', () => {
    const g = gates();
    g.update({
      port: 9000,
      listenAddresses: ['127.0.0.1'],
      allowedHosts: ['box.lan:9000'],
      allowedOrigins: [],
    });
    expect(g.checkHost('localhost:18789').ok).toBe(false);
    expect(g.checkHost('localhost:9000')).toEqual({ ok: true });
    expect(g.checkHost('box.lan:9000')).toEqual({ ok: true });
  });

  it.each([
    [
      { allowedHosts: ['gateway.example'] },
      'invalid allowed host "gateway.example"',
      ['gateway', 'allowedHosts', 0],
    ],
    [
      { allowedHosts: ['ok.example:1', 'a@b:1'] },
      'invalid allowed host "a@b:1"',
      ['gateway', 'allowedHosts', 1],
    ],
    [
      { allowedHosts: ['example.com.:443'] },
      'invalid allowed host "example.com.:443"',
      ['gateway', 'allowedHosts', 0],
    ],
    [
      { allowedHosts: ['127.1:443'] },
      'invalid allowed host "127.1:443"',
      ['gateway', 'allowedHosts', 0],
    ],
    [
      { allowedHosts: ['box:70000'] },
      'invalid allowed host "box:70000"',
      ['gateway', 'allowedHosts', 0],
    ],
    [
      { allowedOrigins: ['https://ui.example/app'] },
      'invalid allowed origin "https://ui.example/app"',
      ['gateway', 'controlUi', 'allowedOrigins', 0],
    ],
    [
      { allowedOrigins: ['null'] },
      'invalid allowed origin "null"',
      ['gateway', 'controlUi', 'allowedOrigins', 0],
    ],
  ])('refuses a bad entry %j and keeps the old lists', (overrides, message, path) => {
    const g = gates({ allowedHosts: ['old.example:1'] });
    let thrown: unknown;
    try {
      g.update({
        port: PORT,
        listenAddresses: ['127.0.0.1'],
        allowedHosts: [],
        allowedOrigins: [],
        ...overrides,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).message).toContain(message);
    expect((thrown as GatewayError).details).toMatchObject({ code: 'CONFIG_INVALID', path });
    expect(g.checkHost('old.example:1')).toEqual({ ok: true });
  });

  it('refuses everything until the real port is known (port 0), yet validates entries', () => {
    const g = gates({ port: 0, allowedHosts: ['box.lan:9000'] });
    expect(g.checkHost('localhost:0')).toMatchObject({ ok: false });
    expect(g.checkHost('box.lan:9000')).toMatchObject({ ok: false });
    expect(g.checkOrigin('http://localhost:0')).toMatchObject({ ok: false });
    expect(g.ownOrigins()).toEqual([]);
    expect(() => gates({ port: 0, allowedHosts: ['box.lan'] })).toThrow(
      'invalid allowed host "box.lan"',
    );
    g.update({
      port: 9000,
      listenAddresses: ['127.0.0.1'],
      allowedHosts: ['box.lan:9000'],
      allowedOrigins: [],
    });
    expect(g.checkHost('box.lan:9000')).toEqual({ ok: true });
  });

  it('refuses a port outside 0-65535', () => {
    expect(() => gates({ port: 65_536 })).toThrow(/port/);
    expect(() => gates({ port: 1.5 })).toThrow(/port/);
  });
});

describe('RequestGates.checkRequest', () => {
  const HOST = `127.0.0.1:${PORT}`;
  /** A request as node parses it: `headers.host` is the first Host line only. */
  const request = (url: string, lines: [string, string][] = [['Host', HOST]]) => ({
    url,
    rawHeaders: lines.flat(),
    headers: {
      host: lines.find(([name]) => name.toLowerCase() === 'host')?.[1],
      origin: lines.find(([name]) => name.toLowerCase() === 'origin')?.[1],
    },
  });

  it('passes an origin-form request and says whether a browser sent it', () => {
    expect(gates().checkRequest(request('/healthz?a=1'))).toEqual({
      ok: true,
      target: '/healthz?a=1',
      browser: false,
      ownOrigin: false,
    });
    const own = request('/', [
      ['Host', HOST],
      ['Origin', `http://${HOST}`],
    ]);
    expect(gates().checkRequest(own)).toMatchObject({ ok: true, browser: true, ownOrigin: true });
  });

  it.each([
    [
      'evil second',
      [
        ['Host', HOST],
        ['Host', 'evil.example'],
      ],
    ],
    [
      'evil first',
      [
        ['Host', 'evil.example'],
        ['Host', HOST],
      ],
    ],
    [
      'the same host in another case',
      [
        ['Host', HOST],
        ['HOST', HOST],
      ],
    ],
  ] as [string, [string, string][]][])('refuses two Host headers (%s) with 400', (_name, lines) => {
    expect(gates().checkRequest(request('/', lines))).toEqual({
      ok: false,
      status: 400,
      reason: 'more than one Host header',
    });
  });

  it.each([
    [`http://${HOST}/a?b`, '/a?b'],
    [`HTTP://LOCALHOST:${PORT}/`, '/'],
    [`https://[::1]:${PORT}`, '/'],
    [`http://${HOST}?q=1`, '/?q=1'],
  ])('passes the absolute-form target %s as %s', (url, target) => {
    expect(gates().checkRequest(request(url))).toMatchObject({ ok: true, target });
  });

  it.each([
    `http://evil.example:${PORT}/`,
    `http://evil.example@${HOST}/`,
    `http://${HOST}@evil.example/`,
    `http://localhost.:${PORT}/`,
    `http://127.1:${PORT}/`,
    'http://127.0.0.1/',
    'http:///',
  ])('refuses the absolute-form target %s with 403 by its authority', (url) => {
    const check = gates().checkRequest(request(url));
    expect(check).toMatchObject({ ok: false, status: 403 });
    expect(check.ok || check.reason).toMatch(/^request target host not allowed: /);
  });

  it.each([
    ['a ws: scheme', `ws://${HOST}/`],
    ['the asterisk form', '*'],
    ['the authority form', HOST],
    ['a fragment', `http://${HOST}/#x`],
    ['an empty target', ''],
  ])('refuses a request target with %s with 400', (_name, url) => {
    expect(gates().checkRequest(request(url))).toMatchObject({ ok: false, status: 400 });
  });

  it('checks the Host header as well as an allowed absolute-form authority', () => {
    const check = gates().checkRequest(request(`http://${HOST}/`, [['Host', 'evil.example']]));
    expect(check).toEqual({ ok: false, status: 403, reason: 'host not allowed: evil.example' });
  });

  it('refuses a foreign Origin with 403 after the Host passes', () => {
    const check = gates().checkRequest(
      request('/', [
        ['Host', HOST],
        ['Origin', 'http://evil.example'],
      ]),
    );
    expect(check).toEqual({
      ok: false,
      status: 403,
      reason: 'origin not allowed: http://evil.example',
    });
  });
});
