import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlUiAssets } from './control-ui.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the request target byte for byte, so nothing normalises `..` or escapes first. */
function rawGet(
  port: number,
  target: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(assets: ControlUiAssets): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (!assets.handle(req, res, { wsOrigin: 'ws://127.0.0.1:18789' })) {
      res.writeHead(405);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const INDEX = '<!doctype html><title>special-agent</title><div id="root"></div>';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-UI';

describe('ControlUiAssets', () => {
  let root: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'control-ui-'));
    const dist = join(root, 'dist', 'renderer');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'index-AbC123.js'), 'console.log("app")');
    await writeFile(join(dist, 'assets', 'index-AbC123.css'), 'body{}');
    await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // Files beside and above the UI that traversal would try to reach.
    await writeFile(join(root, 'dist', 'secret.txt'), SECRET);
    await writeFile(join(root, 'passwd'), SECRET);
    ({ server, port } = await serve(await ControlUiAssets.load(dist)));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('serves the app at / and unknown routes (SPA fallback) with no-cache', async () => {
    for (const target of ['/', '/devices', '/some/deep/route?x=1']) {
      const res = await rawGet(port, target);
      expect(res.status, target).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable with their content type', async () => {
    const js = await rawGet(port, '/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.body).toBe('console.log("app")');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await rawGet(port, '/assets/index-AbC123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const svg = await rawGet(port, '/favicon.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('no-cache');
  });

  it('answers a repeat visit with 304 when the ETag matches', async () => {
    const first = await rawGet(port, '/assets/index-AbC123.js');
    const etag = String(first.headers.etag);
    const again = await rawGet(port, '/assets/index-AbC123.js', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await rawGet(port, '/', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(INDEX));
  });

  it('404s unknown assets and file-like paths instead of returning HTML', async () => {
    for (const target of ['/assets/missing-123.js', '/assets/', '/robots.txt', '/x/y.json']) {
      const res = await rawGet(port, target);
      expect(res.status, target).toBe(404);
      expect(res.body).not.toContain('<div id="root">');
    }
  });

  it('never serves a file outside the build, whatever the encoding', async () => {
    const probes = [
      '/../../etc/passwd',
      '/../passwd',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/%252e%252e%252fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/..\\..\\secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '//etc/passwd',
      '/./index.html',
      '/index.html%00.js',
    ];
    for (const target of probes) {
      const res = await rawGet(port, target);
      expect(res.status, target).toBe(404);
      expect(res.body, target).not.toContain(SECRET);
    }
  });

  it('refuses other methods so the gateway can route them', async () => {
    const res = await rawGet(port, '/', 'POST');
    expect(res.status).toBe(405);
  });

  it('sets the security headers on every response, errors included', async () => {
    for (const target of [
      '/',
      '/assets/index-AbC123.js',
      '/assets/missing.js',
      '/../../etc/passwd',
    ]) {
      const res = await rawGet(port, target);
      expect(res.headers['content-security-policy'], target).toBe(
        "default-src 'self'; connect-src 'self' ws://127.0.0.1:18789; script-src 'self'; style-src 'self'; " +
          "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('says to run the build when dist/renderer is missing', async () => {
    const missing = await ControlUiAssets.load(join(root, 'nope'));
    expect(missing.available).toBe(false);
    const other = await serve(missing);
    try {
      const res = await rawGet(other.port, '/');
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
      expect(res.headers['x-frame-options']).toBe('DENY');
    } finally {
      await new Promise((resolve) => other.server.close(resolve));
    }
  });
});
