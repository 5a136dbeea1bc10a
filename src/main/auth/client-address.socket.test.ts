import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientAddressResolver, type ResolvedClient } from './client-address.js';

function setup(trustedProxies: string[] = []) {
  const warnings: string[] = [];
  const resolver = new ClientAddressResolver({
    trustedProxies,
    logger: { warn: (message) => warnings.push(message) },
  });
  return { resolver, warnings };
}

describe('ClientAddressResolver on a real socket', () => {
  let server: Server | undefined;

  afterEach(async () => {
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    server = undefined;
  });

  async function start(resolver: ClientAddressResolver): Promise<number> {
    server = createServer((req, res) => {
      const result = resolver.resolve({
        peerAddress: req.socket.remoteAddress,
        headers: req.headers,
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  async function get(
    port: number,
    options: { headers?: Record<string, string>; localAddress?: string } = {},
  ) {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...options });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let body = '';
    for await (const chunk of res) body += String(chunk);
    return JSON.parse(body) as ResolvedClient;
  }

  it('sees a plain loopback client as local and a forged header as not', async () => {
    const { resolver, warnings } = setup();
    const port = await start(resolver);
    expect(await get(port)).toEqual({
      clientIp: '127.0.0.1',
      isLocal: true,
      viaProxy: false,
      forwarded: false,
    });
    expect(await get(port, { headers: { 'X-Forwarded-For': '127.0.0.1' } })).toEqual({
      clientIp: '127.0.0.1',
      isLocal: false,
      viaProxy: false,
      forwarded: true,
    });
    expect(warnings).toHaveLength(1);
  });

  it('trusts a same-host proxy on 127.0.0.2 while tools on 127.0.0.1 stay local', async () => {
    const { resolver } = setup(['127.0.0.2']);
    const port = await start(resolver);
    const viaProxy = await get(port, {
      localAddress: '127.0.0.2',
      headers: { 'X-Forwarded-For': '203.0.113.7' },
    });
    expect(viaProxy).toEqual({
      clientIp: '203.0.113.7',
      isLocal: false,
      viaProxy: true,
      forwarded: true,
    });
    expect(await get(port)).toMatchObject({ clientIp: '127.0.0.1', isLocal: true });
  });
});
