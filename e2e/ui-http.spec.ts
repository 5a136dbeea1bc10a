import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures/gateway.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose target goes on the wire byte for byte (no URL normalisation). */
function raw(
  port: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: target, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test.describe('Control UI over HTTP', () => {
  test('traversal paths and their encodings get 404, never a file', async ({ gateway }) => {
    const probes = [
      '/../../etc/passwd',
      '/assets/../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/%252e%252e%252fetc%252fpasswd',
      '/..%5c..%5cetc%5cpasswd',
      '/..\\..\\etc\\passwd',
    ];
    for (const target of probes) {
      const res = await raw(gateway.port, target);
      expect(res.status, target).toBe(404);
      expect(res.body, target).not.toContain('root:');
    }
  });

  test('serves the app with CSP, frame and caching headers', async ({ gateway }) => {
    const index = await raw(gateway.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain(
      `connect-src 'self' ws://127.0.0.1:${gateway.port}`,
    );
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['cache-control']).toBe('no-cache');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const asset = await raw(gateway.port, script ?? '');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw(gateway.port, '/assets/nope-123.js')).status).toBe(404);
  });

  test('the page runs under its CSP without violations', async ({ page, gateway }) => {
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        violations.push(message.text());
    });
    await page.goto(`${gateway.url}/#token=${gateway.token}`);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await page.getByRole('link', { name: 'Chat' }).click();
    await expect(page.getByRole('heading', { name: 'Chat', level: 1 })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test('a page on another origin cannot open a WebSocket to the gateway', async ({
    page,
    gateway,
  }) => {
    const upgrade = await raw(gateway.port, '/', {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      origin: 'http://127.0.0.1:1',
    });
    expect(upgrade.status).toBe(403);

    const evil: Server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((done) => evil.listen(0, '127.0.0.1', done));
    try {
      const { port } = evil.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      const outcome = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(url);
            socket.onopen = () => resolve('open');
            socket.onclose = (event) => resolve(`closed ${event.code}`);
          }),
        gateway.wsUrl,
      );
      expect(outcome).toBe('closed 1006');
    } finally {
      evil.closeAllConnections();
      await new Promise((done) => evil.close(done));
    }
  });
});
