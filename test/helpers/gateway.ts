/**
 * Test harness: a real gateway on 127.0.0.1:0 with a fresh temp home, and real WebSocket
 * clients posing as devices.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import WebSocket from 'ws';
import { startGatewayApp, type GatewayApp, type GatewayAppOptions } from '../../src/main/app.js';
import { keychainForHome, type SecretStore } from '../../src/main/secrets/keychain.js';
import { createLogger } from '../../src/main/util/logger.js';
import {
  generateDeviceKeys,
  identityFromKeyPair,
  type DeviceIdentity,
} from '../../src/shared/device-auth.js';
import { GatewayClient, type ConnectAuth } from '../../src/shared/gateway-client.js';
import type { ClientInfo } from '../../src/shared/protocol.js';
import { OUTCOME_WAIT_MS, within } from './within.js';

export interface TestGateway {
  app: GatewayApp;
  home: string;
  token: string;
  /** ws://127.0.0.1:<port>/ */
  wsUrl: string;
  origin: string;
  logs: string[];
  /** The keychain the gateway uses: the injected one, else its home's own service. */
  keychain: SecretStore;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  /** JSON5 text or an object written to config.json5; `gateway.port` defaults to 0. */
  config?: string | Record<string, unknown>;
  env?: Record<string, string>;
  limits?: GatewayAppOptions['limits'];
  clock?: GatewayAppOptions['clock'];
  keychain?: GatewayAppOptions['keychain'];
  home?: string;
  /** Leave SPECIAL_AGENT_GATEWAY_TOKEN unset, so the token comes from the config or keychain. */
  noEnvToken?: boolean;
  /** `gateway run --port/--bind`: beat the file's values for this run. */
  overrides?: GatewayAppOptions['overrides'];
}

/** Keychain tests need the test D-Bus session that `npm test` sets up (one rule, in one place). */
export { hasSecretService } from '../../src/main/secrets/keychain.test-support.js';

export async function makeTempHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'special-agent-test-'));
  madeHomes.add(home);
  return home;
}

/**
 * Every home made here is removed when its test file ends, also those a test kept past its
 * gateway (a restart, a CLI run against it) and forgot: a full run used to leave a dozen.
 */
const madeHomes = new Set<string>();
afterAll(async () => {
  const homes = [...madeHomes];
  madeHomes.clear();
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

/** Writes config.json5 into `home`, with port 0 unless the config says otherwise. */
export async function writeConfig(
  home: string,
  config: string | Record<string, unknown> = {},
): Promise<string> {
  const path = join(home, 'config.json5');
  await mkdir(home, { recursive: true });
  if (typeof config === 'string') {
    await writeFile(path, config);
  } else {
    const gateway = { port: 0, ...(config.gateway as Record<string, unknown> | undefined) };
    await writeFile(path, JSON.stringify({ ...config, gateway }, null, 2));
  }
  return path;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const home = options.home ?? (await makeTempHome());
  if (options.home === undefined || options.config !== undefined)
    await writeConfig(home, options.config);
  const token = randomBytes(24).toString('base64url');
  const logs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SPECIAL_AGENT_HOME: home,
    SPECIAL_AGENT_CONFIG: '',
    SPECIAL_AGENT_GATEWAY_TOKEN: token,
    ...options.env,
  };
  if (options.noEnvToken) delete env.SPECIAL_AGENT_GATEWAY_TOKEN;
  // No secrets of its own: the gateway must scrub its token from what it logs (app.ts).
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const app = await startGatewayApp({
    env,
    logger,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  return {
    app,
    home,
    token,
    wsUrl: `ws://127.0.0.1:${app.port}/`,
    origin: `http://127.0.0.1:${app.port}`,
    logs,
    keychain: options.keychain ?? keychainForHome(home),
    async stop() {
      await app.stop();
      if (options.home === undefined) await rm(home, { recursive: true, force: true });
    },
  };
}

export async function newIdentity(): Promise<DeviceIdentity> {
  return identityFromKeyPair(crypto.subtle, await generateDeviceKeys(crypto.subtle, false));
}

export const TEST_CLIENT: ClientInfo = {
  id: 'special-agent-test',
  version: '0.0.0',
  platform: 'linux',
  mode: 'test',
};

export interface DeviceOptions {
  identity?: DeviceIdentity;
  auth?: ConnectAuth;
  scopes?: readonly string[];
  headers?: Record<string, string>;
  localAddress?: string;
  client?: Partial<ClientInfo>;
  now?: () => number;
}

/** A GatewayClient over `ws` (so tests can set headers and the source address). */
export function deviceClient(
  url: string,
  options: DeviceOptions & { identity: DeviceIdentity },
): GatewayClient {
  return new GatewayClient({
    openSocket: () =>
      new WebSocket(url, {
        headers: options.headers ?? {},
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        perMessageDeflate: false,
      }),
    identity: options.identity,
    client: { ...TEST_CLIENT, ...options.client },
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Connects a device and returns the client after hello-ok (throws the gateway's error). */
export async function connectDevice(gateway: TestGateway, options: DeviceOptions = {}) {
  const identity = options.identity ?? (await newIdentity());
  const client = deviceClient(gateway.wsUrl, {
    auth: { token: gateway.token },
    ...options,
    identity,
  });
  const hello = await client.connect();
  return { client, hello, identity };
}

/** A raw socket that records every frame, for tests that send hand-made frames. */
export class RawSocket {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(
    url: string,
    options: { headers?: Record<string, string>; localAddress?: string } = {},
  ) {
    this.ws = new WebSocket(url, {
      headers: options.headers ?? {},
      perMessageDeflate: false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    this.ws.on('message', (data) => {
      this.frames.push(
        JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as Record<string, unknown>,
      );
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('error', () => undefined);
  }

  /** Resolves with the first frame (already received or future) matching `predicate`. */
  async next(
    predicate: (frame: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async challengeNonce(): Promise<string> {
    const frame = await this.next((f) => f.event === 'connect.challenge');
    return (frame.payload as { nonce: string }).nonce;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  response(id: string) {
    return this.next((f) => f.type === 'res' && f.id === id) as Promise<{
      ok: boolean;
      payload?: unknown;
      error?: {
        code: string;
        message: string;
        details?: Record<string, unknown>;
        retryAfterMs?: number;
      };
    }>;
  }
}

/**
 * The close of `socket`, or `{ answer }` when the gateway answers request `id` first, within
 * {@link OUTCOME_WAIT_MS}: a frame that should have been refused fails the test on what came
 * back instead of waiting for a close that never comes.
 */
export function closeOrAnswer(socket: RawSocket, id: string, what: string) {
  return within(
    OUTCOME_WAIT_MS,
    Promise.race([socket.closed, socket.response(id).then((answer) => ({ answer }))]),
    what,
  );
}
