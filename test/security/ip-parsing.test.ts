/**
 * IP parsing through the gateway: odd spellings of loopback in Host, Origin, the
 * X-Forwarded-For hops of the trusted proxy and the trustedProxies list itself. (Plain
 * parsing is covered in src/main/auth/ip.test.ts; these go through real sockets.)
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { makeTempHome, newIdentity, startTestGateway, writeConfig } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways, rawGet, rawUpgrade } from './support.js';

const PROXY = '127.0.0.2';
const start = guardedGateways();

const LOOPBACK_SPELLINGS: readonly string[] = [
  '127.1',
  '0x7f.1',
  '0x7f.0.0.1',
  '0177.0.0.1',
  '2130706433',
  '127.000.000.001',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[::1%lo]',
  '[::1%25lo]',
  '[0::1]',
];

describe('odd loopback spellings in Host and Origin', () => {
  for (const spelling of LOOPBACK_SPELLINGS) {
    it(`refuses Host ${spelling}:<port> and Origin http://${spelling}:<port> with 403`, async () => {
      const { gateway, guard } = await start();
      const { port } = gateway.app;
      const byHost = await rawUpgrade(port, `${spelling}:${port}`);
      const byOrigin = await rawUpgrade(port, `127.0.0.1:${port}`, `http://${spelling}:${port}`);
      const page = await rawGet(port, '/', `${spelling}:${port}`);
      expect([byHost.status, byOrigin.status, page.status]).toEqual([403, 403, 403]);
      await guard.check();
    });
  }
});

/** The client address the gateway recorded for a device behind the trusted proxy. */
async function addressBehindProxy(
  g: GuardedGateway,
  forwardedFor: string,
): Promise<string | undefined> {
  const identity = await newIdentity();
  const client = g.guard.client({
    identity,
    auth: g.sharedAuth,
    localAddress: PROXY,
    headers: { 'x-forwarded-for': forwardedFor },
  });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  expect((error as GatewayClientError).detailCode).toBe('PAIRING_REQUIRED');
  return g.gateway.app.pairing.list().pending.find((r) => r.deviceId === identity.deviceId)
    ?.remoteIp;
}

describe('X-Forwarded-For hops from the trusted proxy', () => {
  const cases: readonly [string, string][] = [
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['127.1', PROXY],
    ['0x7f.1', PROXY],
    ['::ffff:0177.0.0.1', PROXY],
    ['[::1]', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::1%', PROXY],
  ];
  for (const [hop, expected] of cases) {
    it(`reads ${hop} as ${expected === PROXY ? 'malformed (the proxy is the client)' : expected}, never local`, async () => {
      const g = await start({ config: { gateway: { trustedProxies: [PROXY] } } });
      expect(await addressBehindProxy(g, hop)).toBe(expected);
      await g.guard.check({ allowChanged: ['pairing-store'] });
    });
  }

  it('matches a trusted proxy written as ::ffff:127.0.0.2 against the IPv4 peer', async () => {
    const g = await start({ config: { gateway: { trustedProxies: [`::ffff:${PROXY}`] } } });
    expect(await addressBehindProxy(g, '203.0.113.9')).toBe('203.0.113.9');
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('odd spellings in trustedProxies', () => {
  for (const entry of [
    '127.2',
    '0x7f.0.0.2',
    '127.0.0.2:80',
    '[127.0.0.2]',
    '127.0.0.0/33',
    '::1%lo/128x',
  ]) {
    it(`refuses to start with trustedProxies ["${entry}"] and leaves the config as it was`, async () => {
      const home = await makeTempHome();
      try {
        const path = await writeConfig(home, { gateway: { port: 0, trustedProxies: [entry] } });
        const before = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        const error = await startTestGateway({ home }).then(
          async (gateway) => {
            await gateway.stop();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(String((error as Error | undefined)?.message)).toMatch(
          /trusted proxy|trustedProxies/,
        );
        expect(
          createHash('sha256')
            .update(await readFile(join(home, 'config.json5')))
            .digest('hex'),
        ).toBe(before);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });
  }
});
