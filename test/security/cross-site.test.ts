/**
 * Cross-site WebSocket hijacking and DNS rebinding: odd spellings of Host and Origin. A
 * refusal is HTTP 403 on both the upgrade and a plain request, never a 101.
 */
import { describe, expect, it } from 'vitest';
import { guardedGateways, rawGet, rawUpgrade } from './support.js';

const start = guardedGateways();

/** `P` stands for the gateway's port. */
const REFUSED_HOSTS: readonly [string, (port: number) => string | undefined][] = [
  ['a rebinding name', (p) => `rebind.attacker.example:${p}`],
  ['localhost with a trailing dot', (p) => `localhost.:${p}`],
  ['127.0.0.1 with a trailing dot', (p) => `127.0.0.1.:${p}`],
  ['no port', () => '127.0.0.1'],
  ['another port', (p) => `127.0.0.1:${p + 1}`],
  ['port 80', () => '127.0.0.1:80'],
  ['a zero-padded port', (p) => `127.0.0.1:0${p}`],
  ['an empty port', () => '127.0.0.1:'],
  ['IPv6 without brackets', (p) => `::1:${p}`],
  ['IPv6 brackets without a port', () => '[::1]'],
  ['IPv6 written long-hand', (p) => `[0:0:0:0:0:0:0:1]:${p}`],
  ['userinfo before the host', (p) => `evil.example@127.0.0.1:${p}`],
  ['userinfo after the host', (p) => `127.0.0.1:${p}@evil.example`],
  ['a path after the host', (p) => `127.0.0.1:${p}/evil`],
  ['an empty Host', () => ''],
  ['no Host at all', () => undefined],
];

const ACCEPTED_HOSTS: readonly [string, (port: number) => string][] = [
  ['upper-case localhost', (p) => `LOCALHOST:${p}`],
  ['IPv6 loopback in brackets', (p) => `[::1]:${p}`],
];

const REFUSED_ORIGINS: readonly [string, (port: number) => string][] = [
  ['null', () => 'null'],
  ['Null in another case', () => 'Null'],
  ['a trailing slash', (p) => `http://127.0.0.1:${p}/`],
  ['a trailing dot', (p) => `http://127.0.0.1.:${p}`],
  ['localhost with a trailing dot', (p) => `http://localhost.:${p}`],
  ['no port', () => 'http://127.0.0.1'],
  ['another port', (p) => `http://127.0.0.1:${p + 1}`],
  ['https instead of http', (p) => `https://127.0.0.1:${p}`],
  ['a ws: scheme', (p) => `ws://127.0.0.1:${p}`],
  ['a file: origin', () => 'file://'],
  ['IPv6 written long-hand', (p) => `http://[0:0:0:0:0:0:0:1]:${p}`],
  ['userinfo before the host', (p) => `http://evil.example@127.0.0.1:${p}`],
  ['userinfo after the host', (p) => `http://127.0.0.1:${p}@evil.example`],
  ['a look-alike suffix', (p) => `http://127.0.0.1:${p}.evil.example`],
  ['a rebinding name', (p) => `http://rebind.attacker.example:${p}`],
];

const ACCEPTED_ORIGINS: readonly [string, (port: number) => string][] = [
  ['upper-case scheme and host', (p) => `HTTP://LOCALHOST:${p}`],
  ['IPv6 loopback in brackets', (p) => `http://[::1]:${p}`],
];

describe('Host header variants', () => {
  for (const [name, host] of REFUSED_HOSTS) {
    it(`refuses ${name} with 403 on the upgrade and on HTTP`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      const upgrade = await rawUpgrade(port, host(port));
      const page = await rawGet(port, '/', host(port));
      guard.record(upgrade.head + upgrade.body + page.head + page.body);
      // No Host at all is a malformed HTTP/1.1 request: node answers 400 before the gate.
      const expected = host(port) === undefined ? [400, 403] : [403];
      expect(expected).toContain(upgrade.status);
      expect(expected).toContain(page.status);
      await guard.check();
    });
  }

  for (const [name, host] of ACCEPTED_HOSTS) {
    it(`accepts ${name} (the same loopback name, spelled as allowed)`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      expect((await rawUpgrade(port, host(port))).status).toBe(101);
      await guard.check();
    });
  }

  it('refuses a DNS-rebinding page even when its Origin matches its own Host', async () => {
    const { gateway, guard } = await start();
    const { port } = gateway.app;
    const evil = `rebind.attacker.example:${port}`;
    const upgrade = await rawUpgrade(port, evil, `http://${evil}`);
    expect(upgrade.status).toBe(403);
    expect(upgrade.body).toContain('host not allowed');
    await guard.check();
  });
});

describe('Origin header variants', () => {
  for (const [name, origin] of REFUSED_ORIGINS) {
    it(`refuses an Origin with ${name} with 403 on the upgrade and on HTTP`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      const upgrade = await rawUpgrade(port, `127.0.0.1:${port}`, origin(port));
      const page = await rawGet(port, '/healthz', `127.0.0.1:${port}`, origin(port));
      guard.record(upgrade.head + upgrade.body + page.head + page.body);
      expect(upgrade.status).toBe(403);
      expect(page.status).toBe(403);
      await guard.check();
    });
  }

  for (const [name, origin] of ACCEPTED_ORIGINS) {
    it(`accepts the gateway's own origin with ${name}`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      expect((await rawUpgrade(port, `127.0.0.1:${port}`, origin(port))).status).toBe(101);
      await guard.check();
    });
  }

  it('keeps a refused browser from reaching the handshake: no challenge, no pairing request', async () => {
    const { gateway, guard } = await start();
    const socket = guard.raw({ headers: { origin: 'http://evil.example' } });
    await expect(socket.opened).rejects.toThrow(/403/);
    expect(socket.frames).toEqual([]);
    expect(gateway.app.pairing.list().pending).toEqual([]);
    await guard.check();
  });
});
