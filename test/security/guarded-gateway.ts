/**
 * One gateway per adversarial case, set up for the nothing-lost guard
 * (test/helpers/nothing-lost.ts): a pre-paired device, canaries in place, files settled on
 * disk before the snapshot.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import { keychainForHome } from '../../src/main/secrets/keychain.js';
import type { Clock } from '../../src/main/util/clock.js';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import { GatewayClient, type ConnectAuth } from '../../src/shared/gateway-client.js';
import {
  hasSecretService,
  makeTempHome,
  newIdentity,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
  type TestGatewayOptions,
} from '../helpers/gateway.js';
import { NothingLost, TestClock, type PrePaired } from '../helpers/nothing-lost.js';

async function connectOnce(
  gateway: TestGateway,
  clock: Clock,
  identity: DeviceIdentity,
  auth: ConnectAuth,
  scopes?: readonly string[],
) {
  const client = new GatewayClient({
    openSocket: () => new WebSocket(gateway.wsUrl, { perMessageDeflate: false }),
    identity,
    client: TEST_CLIENT,
    auth,
    now: () => clock.now(),
    ...(scopes ? { scopes } : {}),
  });
  const hello = await client.connect();
  client.close();
  await client.closed();
  return hello;
}

function prePairedConnect(gateway: TestGateway, clock: Clock, prePaired: PrePaired) {
  return connectOnce(gateway, clock, prePaired.identity, { deviceToken: prePaired.deviceToken });
}

/**
 * Pairs a fresh local device (with `scopes`, default admin) using the shared secret, then
 * reconnects it once by device token.
 */
export async function prePairDevice(
  gateway: TestGateway,
  clock: Clock,
  auth: ConnectAuth,
  scopes?: readonly string[],
): Promise<PrePaired> {
  const identity = await newIdentity();
  const first = await connectOnce(gateway, clock, identity, auth, scopes);
  const deviceToken = first.auth?.deviceToken;
  if (!deviceToken) throw new Error('pre-pairing issued no device token');
  // The first device-token use stamps lastUsedAtMs; with the clock standing still, later
  // connects stamp the same values, so devices.json keeps its bytes.
  await prePairedConnect(gateway, clock, { identity, deviceToken });
  return { identity, deviceToken };
}

/** A gateway with a pre-paired device, canaries in place and a guard around the case. */
export interface GuardedGateway {
  gateway: TestGateway;
  clock: TestClock;
  guard: NothingLost;
  /** The shared secret the gateway expects (`{token}` or `{password}`). */
  sharedAuth: ConnectAuth;
  /** The devices of `options.extraDevices`, paired before the snapshot, in that order. */
  extraDevices: PrePaired[];
  /** Stops the gateway; throws if the case never ran `guard.check()`. */
  stop(): Promise<void>;
}

export interface GuardedGatewayOptions extends Omit<
  TestGatewayOptions,
  'clock' | 'config' | 'home'
> {
  config?: Record<string, unknown>;
  /** Run in password mode with this password (also a canary). */
  password?: string;
  /** More local devices to pair before the snapshot, one per scope list. */
  extraDevices?: readonly (readonly string[])[];
}

/**
 * Starts a gateway for one adversarial case. The device is pre-paired (and, with a Secret
 * Service, a canary provider key stored through `models.providers.setKey`) on a first run
 * of the gateway, which is then stopped so that everything it holds in memory reaches the
 * disk; the case runs against a second run on the same home. Canaries: both gateway
 * tokens, the password (in password mode), the device token and the provider key.
 */
export async function startGuardedGateway(
  options: GuardedGatewayOptions = {},
): Promise<GuardedGateway> {
  const clock = new TestClock();
  const home = await makeTempHome();
  const providerId = `canary-${randomBytes(4).toString('hex')}`;
  // The gateway keeps this home's secrets under the home's own keychain service.
  const keychain = keychainForHome(home);
  const cleanup = async () => {
    await rm(home, { recursive: true, force: true });
    if (hasSecretService) await keychain.delete(`provider:${providerId}`).catch(() => undefined);
  };
  const config = structuredClone(options.config ?? {});
  if (hasSecretService) {
    const models = (config.models ?? {}) as { providers?: Record<string, unknown> };
    models.providers = {
      ...models.providers,
      [providerId]: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' },
    };
    config.models = models;
  }
  if (options.password !== undefined) {
    const gatewayConfig = (config.gateway ?? {}) as Record<string, unknown>;
    config.gateway = { ...gatewayConfig, auth: { mode: 'password' } };
  }
  const env = {
    ...options.env,
    ...(options.password === undefined ? {} : { SPECIAL_AGENT_GATEWAY_PASSWORD: options.password }),
  };
  const authFor = (gateway: TestGateway): ConnectAuth =>
    options.password === undefined ? { token: gateway.token } : { password: options.password };
  const canaries: string[] = options.password === undefined ? [] : [options.password];

  let gateway: TestGateway | undefined;
  try {
    const setup = await startTestGateway({ ...options, home, config, clock, env });
    gateway = setup;
    canaries.push(setup.token);
    const prePaired = await prePairDevice(setup, clock, authFor(setup));
    canaries.push(prePaired.deviceToken);
    const extraDevices: PrePaired[] = [];
    for (const scopes of options.extraDevices ?? [])
      extraDevices.push(await prePairDevice(setup, clock, authFor(setup), scopes));
    if (hasSecretService) canaries.push(await storeCanaryKey(setup, clock, prePaired, providerId));
    await setup.stop();
    // One more run: a loaded store is written back in its schema's key order, which can
    // differ from the order of the first writes; after this run the bytes are settled.
    const settle = await startTestGateway({ ...options, home, clock, env });
    gateway = settle;
    canaries.push(settle.token);
    for (const device of [prePaired, ...extraDevices])
      await prePairedConnect(settle, clock, device);
    await settle.stop();
    gateway = await startTestGateway({ ...options, home, clock, env });
    canaries.push(gateway.token);
    const running = gateway;
    const guard = await NothingLost.around(running, { canaries, prePaired, clock });
    return {
      gateway: running,
      clock,
      guard,
      sharedAuth: authFor(running),
      extraDevices,
      async stop() {
        await running.stop();
        await cleanup();
        if (!guard.checked) throw new Error('this case never ran guard.check()');
      },
    };
  } catch (error) {
    await gateway?.stop();
    await cleanup();
    throw error;
  }
}

async function storeCanaryKey(
  gateway: TestGateway,
  clock: Clock,
  prePaired: PrePaired,
  providerId: string,
): Promise<string> {
  const providerKey = `sk-canary-${randomBytes(16).toString('hex')}`;
  const admin = new GatewayClient({
    openSocket: () => new WebSocket(gateway.wsUrl, { perMessageDeflate: false }),
    identity: prePaired.identity,
    client: TEST_CLIENT,
    auth: { deviceToken: prePaired.deviceToken },
    now: () => clock.now(),
  });
  await admin.connect();
  await admin.request('models.providers.setKey', { id: providerId, apiKey: providerKey });
  admin.close();
  await admin.closed();
  return providerKey;
}
