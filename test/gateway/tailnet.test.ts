/**
 * A `tailnet` bind (DESIGN.md "Auth and locality"): the gateway listens on this host's own
 * tailnet address only, and a client there is local (approved silently) while any other
 * tailnet address is another machine that waits for a person.
 *
 * No 100.x address can be bound here, so the interface list is injected: the listen choice,
 * the client resolver the app builds from it, and the real Authenticator deciding on what
 * the resolver says. The one socket test shows the app listens where the list says.
 */
import type { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { rm, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayApp } from '../../src/main/app.js';
import {
  ClientAddressResolver,
  hostInterfaceAddresses,
} from '../../src/main/auth/client-address.js';
import { FailedAuthLimiter } from '../../src/main/auth/rate-limiter.js';
import { DeviceVerifier } from '../../src/main/gateway/device-verify.js';
import { Authenticator } from '../../src/main/gateway/handshake.js';
import type { PeerContext } from '../../src/main/gateway/peer.js';
import {
  BindError,
  listenAddressesFor,
  listenHostFor,
} from '../../src/main/gateway/listen-address.js';
import { PairingService } from '../../src/main/pairing/pairing-service.js';
import { systemClock } from '../../src/main/util/clock.js';
import { createLogger } from '../../src/main/util/logger.js';
import { signConnect } from '../../src/shared/gateway-client.js';
import type { InviteCreated } from '../../src/shared/protocol.js';
import {
  deviceClient,
  makeTempHome,
  newIdentity,
  TEST_CLIENT,
  writeConfig,
} from '../helpers/gateway.js';

type Interfaces = ReturnType<typeof networkInterfaces>;

const OWN_TAILNET_V4 = '100.101.102.103';
const OWN_TAILNET_V6 = 'fd7a:115c:a1e0::42';
const OTHER_TAILNET_PEER = '100.64.7.8';

function interfaces(
  list: Record<string, { address: string; family: 'IPv4' | 'IPv6' }[]>,
): Interfaces {
  return list as unknown as Interfaces;
}

const HOST = interfaces({
  lo: [
    { address: '127.0.0.1', family: 'IPv4' },
    { address: '::1', family: 'IPv6' },
  ],
  eth0: [{ address: '192.0.2.7', family: 'IPv4' }],
  // Tailscale lists its IPv6 address first on some systems.
  tailscale0: [
    { address: OWN_TAILNET_V6, family: 'IPv6' },
    { address: OWN_TAILNET_V4, family: 'IPv4' },
  ],
});

const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

describe('where a tailnet bind listens', () => {
  it("listens on this host's tailnet IPv4 address only, and answers the Host gate for it alone", () => {
    const host = listenHostFor('tailnet', HOST);
    expect(host).toBe(OWN_TAILNET_V4);
    expect(listenAddressesFor(host, HOST)).toEqual([OWN_TAILNET_V4]);
  });

  it('falls back to the tailnet IPv6 address when there is no IPv4 one', () => {
    const v6Only = interfaces({ tailscale0: [{ address: OWN_TAILNET_V6, family: 'IPv6' }] });
    expect(listenHostFor('tailnet', v6Only)).toBe(OWN_TAILNET_V6);
  });

  it('refuses to start with no tailnet address, saying how to fix it', () => {
    const noTailnet = interfaces({ eth0: [{ address: '192.0.2.7', family: 'IPv4' }] });
    expect(() => listenHostFor('tailnet', noTailnet)).toThrow(BindError);
    expect(() => listenHostFor('tailnet', noTailnet)).toThrow('start Tailscale');
  });

  it('makes the app listen on the injected tailnet address (which cannot be bound here)', async () => {
    const home = await makeTempHome();
    homes.push(home);
    await writeConfig(home, { gateway: { bind: 'tailnet', tls: { enabled: false } } });
    const started = startGatewayApp({
      env: {
        ...process.env,
        SPECIAL_AGENT_HOME: home,
        SPECIAL_AGENT_CONFIG: '',
        SPECIAL_AGENT_GATEWAY_TOKEN: 'tailnet-test-token-0123',
      },
      logger: createLogger({ write: () => undefined }),
      networkInterfaces: () => HOST,
    });
    // It tried that address: the listener's refusal names it, as a config error (exit 78).
    await expect(started).rejects.toMatchObject({
      exitCode: 78,
      message: expect.stringContaining(
        `no interface of this machine has the address ${OWN_TAILNET_V4}`,
      ),
    });
  });
});

describe('who is local on a tailnet bind', () => {
  async function authenticatorFor(home: string) {
    const pairing = await PairingService.open({
      path: join(home, 'devices.json'),
      clock: systemClock,
    });
    // The resolver as app.ts builds it from the (injected) interface list.
    const resolver = new ClientAddressResolver({
      trustedProxies: [],
      localAddresses: () => hostInterfaceAddresses(HOST),
      logger: { warn: () => undefined },
    });
    const authenticator = new Authenticator({
      auth: () => ({ mode: 'token', token: 'tailnet-test-token-0123' }),
      autoApproveLocal: () => true,
      pairing,
      limiter: new FailedAuthLimiter({ clock: systemClock }),
      verifier: new DeviceVerifier({ signatureSkewMs: 120_000 }),
      clock: systemClock,
    });
    return { pairing, resolver, authenticator };
  }

  /** One signed connect from `peerAddress` with the right token, as the upgrade would see it. */
  async function connectFrom(home: string, peerAddress: string) {
    const { pairing, resolver, authenticator } = await authenticatorFor(home);
    const client = resolver.resolve({ peerAddress, headers: {} });
    const peer: PeerContext = {
      clientIp: client.clientIp,
      isLocal: client.isLocal,
      browser: false,
      ownOrigin: false,
      origin: undefined,
    };
    const nonce = crypto.randomUUID();
    const params = await signConnect({
      identity: await newIdentity(),
      nonce,
      client: TEST_CLIENT,
      auth: { token: 'tailnet-test-token-0123' },
      signedAtMs: Date.now(),
    });
    try {
      return await authenticator.authenticate(params, nonce, peer).then(
        (admission) => ({ admitted: admission.device.approvedBy }),
        (error: { details?: { code?: string } }) => ({ refused: error.details?.code }),
      );
    } finally {
      await pairing.close();
    }
  }

  it("approves a device on this host's own tailnet address silently", async () => {
    const home = await makeTempHome();
    homes.push(home);
    expect(await connectFrom(home, OWN_TAILNET_V4)).toEqual({ admitted: 'local-auto' });
    expect(await connectFrom(home, OWN_TAILNET_V6)).toEqual({ admitted: 'local-auto' });
  });

  it('makes a device on another tailnet address wait for a person', async () => {
    const home = await makeTempHome();
    homes.push(home);
    expect(await connectFrom(home, OTHER_TAILNET_PEER)).toEqual({ refused: 'PAIRING_REQUIRED' });
  });
});

describe('the setup URL of an invite on a network bind', () => {
  async function inviteOn(bind: string) {
    const home = await makeTempHome();
    homes.push(home);
    await writeConfig(home, { gateway: { tls: { enabled: false } } });
    const token = 'setup-url-test-token-0123';
    const app = await startGatewayApp({
      env: {
        ...process.env,
        SPECIAL_AGENT_HOME: home,
        SPECIAL_AGENT_CONFIG: '',
        SPECIAL_AGENT_GATEWAY_TOKEN: token,
      },
      logger: createLogger({ write: () => undefined }),
      networkInterfaces: () => HOST,
      overrides: { bind },
    });
    try {
      const client = deviceClient(`ws://127.0.0.1:${app.port}/`, {
        auth: { token },
        identity: await newIdentity(),
      });
      await client.connect();
      const invite = await client.request<InviteCreated>('device.invite.create', {});
      client.close();
      return { invite, port: app.port };
    } finally {
      await app.stop();
    }
  }

  it('points at an address another device can reach, not at loopback, on a lan bind', async () => {
    const { invite, port } = await inviteOn('lan');
    expect(invite.setupUrl, 'the setup URL of a lan-bound gateway').toBe(
      `http://192.0.2.7:${port}/#invite=${invite.code}`,
    );
  });
});

describe('a bind to a link-local IPv6 address', () => {
  it('is refused with exit 78 before a certificate is made: it needs a zone no URL can carry', async () => {
    const home = await makeTempHome();
    homes.push(home);
    await writeConfig(home, {});
    const withLinkLocal = interfaces({
      lo: [{ address: '127.0.0.1', family: 'IPv4' }],
      eth0: [{ address: 'fe80::fc:ff:fe00:1', family: 'IPv6', scopeid: 2 } as never],
    });
    const started = startGatewayApp({
      env: {
        ...process.env,
        SPECIAL_AGENT_HOME: home,
        SPECIAL_AGENT_CONFIG: '',
        SPECIAL_AGENT_GATEWAY_TOKEN: 'link-local-test-token-0123',
      },
      logger: createLogger({ write: () => undefined }),
      networkInterfaces: () => withLinkLocal,
      overrides: { bind: 'fe80::fc:ff:fe00:1' },
    });
    await expect(started).rejects.toMatchObject({
      exitCode: 78,
      message: expect.stringContaining('fe80::fc:ff:fe00:1: it is a link-local address'),
    });
    await expect(stat(join(home, 'tls', 'gateway.pem')), 'a certificate').rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
