/**
 * Static serving: path traversal with encodings, sent as raw request lines so nothing
 * normalises them on the way. The answer is a 4xx or the SPA index, never a file from
 * outside dist/renderer.
 */
import { describe, expect, it } from 'vitest';
import { guardedGateways, rawHttp } from './support.js';

const start = guardedGateways();

const TRAVERSALS: readonly string[] = [
  '/../../etc/passwd',
  '/../../../../../../../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%2E%2E/%2E%2E/etc/passwd',
  '/%252e%252e/%252e%252e/etc/passwd',
  '/..%5c..%5cetc%5cpasswd',
  '/..\\..\\etc\\passwd',
  '/assets/../../../etc/passwd',
  '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/assets/..%2f..%2f..%2fetc%2fpasswd',
  '/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/.%2e/.%2e/package.json',
  '/../package.json',
  '/%2e%2e/src/main/app.ts',
  '/..;/..;/etc/passwd',
  '//etc/passwd',
  '/index.html%00.js',
  '/%00/etc/passwd',
  '/assets/%00../../etc/passwd',
  'http://127.0.0.1/../../etc/passwd',
  '/?/../../etc/passwd',
];

/** Strings that would only appear if a file from outside the build were served. */
const OUTSIDE_MARKERS = ['root:', '"name": "special-agent-desktop"', 'startGatewayApp'];

describe('path traversal', () => {
  for (const path of TRAVERSALS) {
    it(`never serves a file outside the build for ${JSON.stringify(path)}`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      const host = `Host: 127.0.0.1:${port}`;
      const index = await rawHttp(port, `GET / HTTP/1.1\r\n${host}\r\nConnection: close`);
      const response = await rawHttp(port, `GET ${path} HTTP/1.1\r\n${host}\r\nConnection: close`);
      guard.record(response.head + response.body);
      expect([200, 400, 403, 404]).toContain(response.status);
      if (response.status === 200) expect(response.body).toBe(index.body);
      for (const marker of OUTSIDE_MARKERS) expect(response.body).not.toContain(marker);
      await guard.check();
    });
  }

  it('answers a raw NUL byte in the request line with 400', async () => {
    const { gateway, guard } = await start();
    const { port } = gateway.app;
    const response = await rawHttp(
      port,
      `GET /assets/\0../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close`,
    );
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('root:');
    await guard.check();
  });
});
