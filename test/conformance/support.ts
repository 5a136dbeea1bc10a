/**
 * Helpers of the conformance suite: each case speaks PROTOCOL.md to a real gateway, either
 * through the shared client or with hand-made frames.
 */
import { afterEach } from 'vitest';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import {
  GatewayClientError,
  signConnect,
  type ConnectAuth,
  type GatewayClient,
} from '../../src/shared/gateway-client.js';
import type { ClientInfo, HelloOk } from '../../src/shared/protocol.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  RawSocket,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
  type TestGatewayOptions,
} from '../helpers/gateway.js';

/** 127.0.0.2 is a loopback address the suite uses as the trusted reverse proxy. */
export const PROXY = '127.0.0.2';
export const REMOTE_IP = '203.0.113.7';

/** One gateway per case plus the clients and sockets it opened, all closed after the case. */
export function gatewayPerCase() {
  let current: TestGateway | undefined;
  const clients: GatewayClient[] = [];
  const sockets: RawSocket[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets.splice(0)) socket.ws.terminate();
    const stopping = current;
    current = undefined;
    await stopping?.stop();
  });
  return {
    async start(options: TestGatewayOptions = {}): Promise<TestGateway> {
      current = await startTestGateway(options);
      return current;
    },
    /** A gateway behind the trusted proxy 127.0.0.2 (so tests can pose as remote devices). */
    async startProxied(
      gatewayConfig: Record<string, unknown> = {},
      options: TestGatewayOptions = {},
    ): Promise<TestGateway> {
      current = await startTestGateway({
        ...options,
        config: { gateway: { trustedProxies: [PROXY], ...gatewayConfig } },
      });
      return current;
    },
    track(client: GatewayClient): GatewayClient {
      clients.push(client);
      return client;
    },
    raw(gw: TestGateway, options: ConstructorParameters<typeof RawSocket>[1] = {}): RawSocket {
      const socket = new RawSocket(gw.wsUrl, options);
      sockets.push(socket);
      return socket;
    },
    /** An admin operator over loopback (silently paired). */
    async operator(
      gw: TestGateway,
      scopes?: string[],
    ): Promise<{ client: GatewayClient; hello: HelloOk; identity: DeviceIdentity }> {
      const connected = await connectDevice(gw, scopes ? { scopes } : {});
      clients.push(connected.client);
      return connected;
    },
  };
}

export type Outcome =
  | { hello: HelloOk; client: GatewayClient; error?: undefined }
  | { error: GatewayClientError; hello?: undefined; client: GatewayClient };

/** Connects through the trusted proxy as if from `ip`; never throws. */
export async function remoteConnect(
  gw: TestGateway,
  options: {
    identity?: DeviceIdentity;
    ip?: string;
    scopes?: string[];
    auth?: ConnectAuth;
  } = {},
): Promise<Outcome & { identity: DeviceIdentity }> {
  const identity = options.identity ?? (await newIdentity());
  const client = deviceClient(gw.wsUrl, {
    identity,
    auth: options.auth ?? { token: gw.token },
    localAddress: PROXY,
    headers: { 'x-forwarded-for': options.ip ?? REMOTE_IP },
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  try {
    const hello = await client.connect();
    return { hello, client, identity };
  } catch (error) {
    if (!(error instanceof GatewayClientError)) throw error;
    return { error, client, identity };
  }
}

/** Resolves with the client's error (fails the case if the promise resolves). */
export async function failure(promise: Promise<unknown>): Promise<GatewayClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayClientError)) {
    throw new Error(`expected a GatewayClientError, got ${String(error)}`);
  }
  return error;
}

export interface RawAnswer {
  response: {
    ok: boolean;
    payload?: unknown;
    error?: {
      code: string;
      message: string;
      details?: Record<string, unknown>;
      retryAfterMs?: number;
    };
  };
  close: { code: number; reason: string } | undefined;
  socket: RawSocket;
}

/**
 * Sends one hand-signed `connect` on a fresh raw socket. `mutate` may change the params
 * after signing. Returns the answer and, for a refusal, the close.
 */
export async function rawConnect(
  gw: TestGateway,
  options: {
    identity?: DeviceIdentity;
    auth?: ConnectAuth;
    scopes?: string[];
    client?: ClientInfo;
    signedAtMs?: number;
    nonce?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    mutate?: (params: Record<string, unknown>) => void;
  } = {},
): Promise<RawAnswer> {
  const socket = new RawSocket(gw.wsUrl, {
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  const challenge = await socket.challengeNonce();
  const params = (await signConnect({
    identity: options.identity ?? (await newIdentity()),
    nonce: options.nonce ?? challenge,
    client: options.client ?? TEST_CLIENT,
    auth: options.auth ?? { token: gw.token },
    ...(options.scopes ? { scopes: options.scopes } : {}),
    signedAtMs: options.signedAtMs ?? Date.now(),
  })) as unknown as Record<string, unknown>;
  options.mutate?.(params);
  socket.send({ type: 'req', id: 'c1', method: 'connect', params });
  const response = await socket.response('c1');
  if (response.ok) return { response, close: undefined, socket };
  return { response, close: await socket.closed, socket };
}

/** An in-memory keychain, so key-handling methods run without a Secret Service. */
export function memoryKeychain() {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (account: string) => Promise.resolve(entries.get(account) ?? null),
    set: (account: string, value: string) => {
      entries.set(account, value);
      return Promise.resolve();
    },
    delete: (account: string) => Promise.resolve(entries.delete(account)),
    probe: () => Promise.resolve({ available: true, backend: 'memory' }),
  };
}
