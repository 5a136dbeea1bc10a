/**
 * The isomorphic gateway client (PROTOCOL.md): WebSocket + WebCrypto Ed25519. Used by the
 * CLI, the tests and the Control UI. The socket comes from an injected factory, so Node
 * passes `ws` (with headers) and the browser passes its own WebSocket.
 */
import type { DeviceIdentity } from './device-auth.js';
import { buildSignaturePayload, signedToken } from './device-auth.js';
import type { ClientInfo, ConnectParams, EventFrame, HelloOk, ServerFrame } from './protocol.js';
import { PROTOCOL_VERSION, roleOf } from './protocol.js';

/** The subset of the WebSocket API both `ws` and browsers provide. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

export interface ConnectAuth {
  token?: string | undefined;
  password?: string | undefined;
  deviceToken?: string | undefined;
  /** An invite code (`#invite=` of a setup URL): pairs this device at once, once. */
  bootstrapToken?: string | undefined;
}

/** What a failed request or connect reports: the gateway's error and, if it closed, why. */
export class GatewayClientError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;
  closeCode: number | undefined;
  closeReason: string | undefined;

  constructor(
    code: string,
    message: string,
    extra: {
      details?: Record<string, unknown> | undefined;
      retryAfterMs?: number | undefined;
      closeCode?: number;
      closeReason?: string;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayClientError';
    this.code = code;
    this.details = extra.details;
    this.retryAfterMs = extra.retryAfterMs;
    this.closeCode = extra.closeCode;
    this.closeReason = extra.closeReason;
  }

  /** `details.code` when the gateway sent one, else the top-level code. */
  get detailCode(): string {
    const code = this.details?.code;
    return typeof code === 'string' ? code : this.code;
  }
}

export interface SignConnectInput {
  identity: DeviceIdentity;
  nonce: string;
  client: ClientInfo;
  role?: string;
  scopes?: readonly string[];
  auth?: ConnectAuth;
  signedAtMs: number;
}

/** Builds signed `connect` params (handshake steps 2–3). */
export async function signConnect(input: SignConnectInput): Promise<ConnectParams> {
  const role = roleOf(input);
  const scopes = [...(input.scopes ?? [])];
  const auth = input.auth ?? {};
  const payload = buildSignaturePayload({
    deviceId: input.identity.deviceId,
    clientId: input.client.id,
    clientMode: input.client.mode,
    role,
    scopes,
    signedAtMs: input.signedAtMs,
    token: signedToken(auth),
    nonce: input.nonce,
    platform: input.client.platform,
    deviceFamily: input.client.deviceFamily,
  });
  const presented = Object.fromEntries(Object.entries(auth).filter(([, v]) => v !== undefined));
  return {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client: input.client,
    role: 'operator',
    ...(input.scopes ? { scopes } : {}),
    ...(Object.keys(presented).length > 0 ? { auth: presented } : {}),
    device: {
      id: input.identity.deviceId,
      publicKey: input.identity.publicKey,
      signature: await input.identity.sign(payload),
      signedAt: input.signedAtMs,
      nonce: input.nonce,
    },
  };
}

export interface GatewayClientOptions {
  /**
   * Opens the socket. A Node caller of a `wss://` gateway pins its certificate here:
   * `new WebSocket(url, pinnedWebSocketOptions(fingerprint))` (src/main/tls); a browser
   * relies on its own certificate checks.
   */
  openSocket: () => WebSocketLike;
  identity: DeviceIdentity;
  client: ClientInfo;
  scopes?: readonly string[];
  auth?: ConnectAuth;
  now?: () => number;
  requestTimeoutMs?: number;
}

type EventListener = (payload: unknown, frame: EventFrame) => void;

interface Pending {
  resolve: (payload: unknown) => void;
  reject: (error: GatewayClientError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** One authenticated connection. Create, `connect()`, then `request()` and `on()`. */
export class GatewayClient {
  readonly #options: GatewayClientOptions;
  #socket: WebSocketLike | undefined;
  #nextId = 1;
  readonly #pending = new Map<string, Pending>();
  readonly #listeners = new Map<string, Set<EventListener>>();
  readonly #closeListeners = new Set<(code: number, reason: string) => void>();
  #closed: { code: number; reason: string } | undefined;
  hello: HelloOk | undefined;

  constructor(options: GatewayClientOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.hello !== undefined && this.#closed === undefined;
  }

  /** Opens the socket and completes the handshake; resolves with `hello-ok`. */
  connect(): Promise<HelloOk> {
    return new Promise<HelloOk>((resolve, reject) => {
      const socket = this.#options.openSocket();
      this.#socket = socket;
      let settled = false;
      let connectError: GatewayClientError | undefined;
      const fail = (error: GatewayClientError) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      socket.addEventListener('message', (event) => {
        const frame = parseFrame(event.data);
        if (!frame) return;
        if (!settled && frame.type === 'event' && frame.event === 'connect.challenge') {
          const nonce = (frame.payload as { nonce?: unknown } | undefined)?.nonce;
          if (typeof nonce !== 'string')
            return fail(new GatewayClientError('INVALID_REQUEST', 'challenge without nonce'));
          this.#sendConnect(nonce).then(
            (payload) => {
              this.hello = payload as HelloOk;
              settled = true;
              resolve(this.hello);
            },
            (error: GatewayClientError) => {
              connectError = error;
            },
          );
          return;
        }
        this.#dispatch(frame);
      });
      socket.addEventListener('close', (event) => {
        this.#closed = { code: event.code, reason: event.reason };
        const error =
          connectError ??
          new GatewayClientError('UNAVAILABLE', closeMessage(event.code, event.reason));
        error.closeCode = event.code;
        error.closeReason = event.reason;
        for (const [, pending] of this.#pending) {
          if (pending.timer) clearTimeout(pending.timer);
          pending.reject(
            withClose(
              new GatewayClientError('UNAVAILABLE', closeMessage(event.code, event.reason)),
              event,
            ),
          );
        }
        this.#pending.clear();
        // A rejected connect gets its `res` first, then the close: report both together.
        fail(error);
        for (const listener of this.#closeListeners) listener(event.code, event.reason);
      });
      socket.addEventListener('error', () => {
        // 'close' follows with the code; an HTTP refusal (403) surfaces as close 1006.
      });
    });
  }

  async #sendConnect(nonce: string): Promise<unknown> {
    const params = await signConnect({
      identity: this.#options.identity,
      nonce,
      client: this.#options.client,
      ...(this.#options.scopes ? { scopes: this.#options.scopes } : {}),
      ...(this.#options.auth ? { auth: this.#options.auth } : {}),
      signedAtMs: (this.#options.now ?? Date.now)(),
    });
    return this.#call('connect', params);
  }

  /** Calls a method; resolves with its payload or rejects with the gateway's error. */
  request<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T> {
    if (!this.isOpen) {
      return Promise.reject(new GatewayClientError('UNAVAILABLE', 'not connected to the gateway'));
    }
    return this.#call(method, params) as Promise<T>;
  }

  #call(method: string, params?: Record<string, unknown>): Promise<unknown> {
    const id = String(this.#nextId++);
    const frame = { type: 'req', id, method, ...(params ? { params } : {}) };
    return new Promise((resolve, reject) => {
      const timeoutMs = this.#options.requestTimeoutMs ?? 30_000;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(id);
              reject(
                new GatewayClientError(
                  'UNAVAILABLE',
                  `no answer to ${method} within ${timeoutMs} ms`,
                ),
              );
            }, timeoutMs)
          : undefined;
      this.#pending.set(id, { resolve, reject, timer });
      this.#socket?.send(JSON.stringify(frame));
    });
  }

  #dispatch(frame: ServerFrame): void {
    if (frame.type === 'res') {
      const pending = this.#pending.get(frame.id);
      if (!pending) return;
      this.#pending.delete(frame.id);
      if (pending.timer) clearTimeout(pending.timer);
      if (frame.ok) pending.resolve(frame.payload);
      else
        pending.reject(
          new GatewayClientError(frame.error.code, frame.error.message, {
            details: frame.error.details,
            retryAfterMs: frame.error.retryAfterMs,
          }),
        );
      return;
    }
    for (const listener of this.#listeners.get(frame.event) ?? []) listener(frame.payload, frame);
    for (const listener of this.#listeners.get('*') ?? []) listener(frame.payload, frame);
  }

  /** Subscribes to an event (`'*'` for all); returns the unsubscribe function. */
  on(event: string, listener: EventListener): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  onClose(listener: (code: number, reason: string) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Resolves once the socket has closed (at once if it already has). */
  closed(): Promise<{ code: number; reason: string }> {
    if (this.#closed) return Promise.resolve(this.#closed);
    return new Promise((resolve) => this.onClose((code, reason) => resolve({ code, reason })));
  }

  close(code = 1000, reason = ''): void {
    this.#socket?.close(code, reason);
  }
}

function withClose(
  error: GatewayClientError,
  event: { code: number; reason: string },
): GatewayClientError {
  error.closeCode = event.code;
  error.closeReason = event.reason;
  return error;
}

function closeMessage(code: number, reason: string): string {
  if (code === 1006 && !reason) return 'connection to the gateway failed or was refused';
  return reason
    ? `gateway closed the connection (${code} ${reason})`
    : `gateway closed the connection (${code})`;
}

function parseFrame(data: unknown): ServerFrame | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const frame = JSON.parse(data) as ServerFrame;
    return frame && typeof frame === 'object' ? frame : undefined;
  } catch {
    return undefined;
  }
}
