/**
 * The Control UI's one connection to its gateway: handshake with this browser's device
 * key, the login flow, reconnects with backoff, and an event bus that outlives each
 * socket so pages subscribe once.
 */
import type { DeviceIdentity } from '../../shared/device-auth.js';
import type { ConnectAuth } from '../../shared/gateway-client.js';
import { GatewayClient, GatewayClientError } from '../../shared/gateway-client.js';
import type { HelloOk } from '../../shared/protocol.js';
import { CLOSE } from '../../shared/protocol.js';
import type { ConnectionDeps, ConnectionSnapshot, LoginMode } from './connection-state.js';
import { INITIAL_SNAPSHOT, SIGNED_OUT } from './connection-state.js';
import type { Relocation } from './restart.js';
import { restartExpectedMs } from './restart.js';

type Listener = (payload: unknown) => void;
type RequestWatcher = (method: string, params: Record<string, unknown> | undefined) => void;

/** Manages one gateway connection at a time. Call `start()` once. */
export class UiGatewayConnection {
  readonly #deps: ConnectionDeps;
  #snapshot: ConnectionSnapshot = INITIAL_SNAPSHOT;
  readonly #watchers = new Set<() => void>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #requestWatchers = new Set<RequestWatcher>();
  #client: GatewayClient | undefined;
  #identity: Promise<DeviceIdentity> | undefined;
  #timer: unknown;
  /** Bumped by every attempt; results of an older attempt are ignored. */
  #run = 0;
  /** The first failure of a fallback chain, shown if the chain ends at the login form. */
  #carried: GatewayClientError | undefined;

  constructor(deps: ConnectionDeps) {
    this.#deps = deps;
  }

  readonly subscribe = (watcher: () => void): (() => void) => {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  };

  readonly getSnapshot = (): ConnectionSnapshot => this.#snapshot;

  start(): void {
    void this.#attempt();
  }

  /** Uses a token or password the person typed, or an invite from a link, then connects. */
  login(credentials: { token?: string; password?: string; invite?: string }): void {
    const secrets = this.#deps.secrets;
    if (credentials.invite !== undefined) {
      secrets.invite = credentials.invite;
    } else if (credentials.password !== undefined) {
      secrets.password = credentials.password;
    } else {
      secrets.password = undefined;
      secrets.token = credentials.token;
    }
    this.#carried = undefined;
    void this.#attempt();
  }

  /** Skips the remaining backoff wait. */
  retryNow(): void {
    void this.#attempt();
  }

  /** After a successful `gateway.auth.rotate` the token in this tab is stale. */
  forgetSharedToken(): void {
    this.#deps.secrets.token = undefined;
  }

  /** A restart will move the gateway to `relocation` (the banner offers it); undefined: it stays. */
  expectRelocation(relocation: Relocation | undefined): void {
    this.#set({ relocation });
  }

  /** Calls a gateway method; rejects with the gateway's error (or "not connected"). */
  request<T>(method: string, params?: Record<string, unknown>): Promise<T> {
    const client = this.#client;
    if (!client?.isOpen) {
      return Promise.reject(
        new GatewayClientError('UNAVAILABLE', 'Not connected to the gateway. Reconnecting…'),
      );
    }
    for (const watcher of this.#requestWatchers) watcher(method, params);
    return client.request<T>(method, params);
  }

  /** Sees every request sent (e.g. `chat.abort`, so a stopped answer is announced so). */
  onRequest(watcher: RequestWatcher): () => void {
    this.#requestWatchers.add(watcher);
    return () => this.#requestWatchers.delete(watcher);
  }

  /** Subscribes to a gateway event across reconnects; returns the unsubscribe function. */
  on(event: string, listener: Listener): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Closes the socket and cancels retries (page unload, tests). */
  stop(): void {
    this.#run++;
    this.#clearTimer();
    this.#client?.close();
    this.#client = undefined;
  }

  async #attempt(): Promise<void> {
    this.#clearTimer();
    const run = ++this.#run;
    this.#client?.close();
    const deps = this.#deps;
    const phase = this.#snapshot.hello
      ? 'reconnecting'
      : this.#snapshot.phase === 'login'
        ? 'login'
        : 'connecting';
    this.#set({ phase, retryAtMs: undefined, busy: true });
    const auth = deps.secrets.connectAuth();
    let client: GatewayClient;
    try {
      this.#identity ??= deps.identity();
      const identity = await this.#identity;
      if (this.#snapshot.deviceId !== identity.deviceId) this.#set({ deviceId: identity.deviceId });
      client = new GatewayClient({
        openSocket: deps.openSocket,
        identity,
        client: deps.client,
        // No scopes asked for, whatever the secret: the gateway then admits a paired
        // browser with what it was approved for (a person may approve fewer than admin),
        // and an unpaired one asks for admin (docs/decisions.md). Asking for admin made a
        // browser approved for less a new scope-upgrade request on every retry.
        auth,
        now: deps.now,
      });
    } catch (error) {
      this.#identity = undefined;
      return this.#scheduleRetry(
        new GatewayClientError(
          'INTERNAL',
          `Could not create this browser's device key: ${String(error)}`,
        ),
      );
    }
    if (run !== this.#run) return;
    this.#client = client;
    client.on('*', (payload, frame) => {
      if (run === this.#run) this.#emit(frame.event, payload);
    });
    try {
      const hello = await client.connect();
      if (run !== this.#run) return client.close();
      this.#connected(client, hello, auth);
    } catch (error) {
      if (run !== this.#run) return;
      const failure =
        error instanceof GatewayClientError
          ? error
          : new GatewayClientError('INTERNAL', String(error));
      this.#failed(failure, auth);
    }
  }

  #connected(client: GatewayClient, hello: HelloOk, auth: ConnectAuth): void {
    const deps = this.#deps;
    if (hello.auth?.deviceToken) {
      deps.secrets.deviceToken = hello.auth.deviceToken;
      deps.secrets.deviceScopes = hello.auth.scopes;
    }
    // Spent by this connect: from now on this browser uses the device token it just got.
    if (auth.bootstrapToken) deps.secrets.invite = undefined;
    deps.backoff.reset();
    this.#carried = undefined;
    const run = this.#run;
    client.onClose((code, reason) => {
      if (run === this.#run) this.#closed(code, reason);
    });
    this.#set({
      ...INITIAL_SNAPSHOT,
      deviceId: this.#snapshot.deviceId,
      phase: 'connected',
      hello,
      scopes: hello.auth?.scopes ?? deps.secrets.deviceScopes,
      generation: this.#snapshot.generation + 1,
      loginMode: hello.snapshot.authMode === 'password' ? 'password' : 'token',
    });
  }

  #failed(error: GatewayClientError, auth: ConnectAuth): void {
    const secrets = this.#deps.secrets;
    switch (error.detailCode) {
      case 'AUTH_TOKEN_MISSING':
      case 'AUTH_PASSWORD_MISSING': {
        const mode = error.detailCode === 'AUTH_TOKEN_MISSING' ? 'token' : 'password';
        // Offering nothing (a first visit) is no failure: just the sign-in page, no error.
        const offered = Boolean(auth.token ?? auth.password ?? auth.deviceToken);
        return this.#toLogin(mode, this.#carried ?? (offered ? error : undefined));
      }
      case 'AUTH_TOKEN_MISMATCH':
      case 'AUTH_PASSWORD_MISMATCH': {
        const mode = error.detailCode === 'AUTH_TOKEN_MISMATCH' ? 'token' : 'password';
        secrets.token = undefined;
        secrets.password = undefined;
        // A stale tab token may still be backed by a valid device token: try that quietly.
        if (secrets.deviceToken && !this.#carried) {
          this.#carried = error;
          return void this.#attempt();
        }
        return this.#toLogin(mode, this.#carried ?? error);
      }
      case 'AUTH_DEVICE_TOKEN_MISMATCH':
        secrets.deviceToken = undefined;
        if (auth.deviceToken) {
          this.#carried ??= error;
          return void this.#attempt();
        }
        return this.#toLogin(this.#snapshot.loginMode, error);
      case 'AUTH_RATE_LIMITED':
        return this.#toLogin(
          this.#snapshot.loginMode,
          error,
          this.#deps.now() + (error.retryAfterMs ?? 60_000),
        );
      case 'PAIRING_REQUIRED':
      case 'PAIRING_LIMIT_REACHED':
        return this.#waitForPairing(error);
      case 'INVITE_INVALID':
        return this.#inviteUsed(error);
      default:
        return this.#scheduleRetry(error);
    }
  }

  #closed(code: number, reason: string): void {
    this.#client = undefined;
    if (code === 4001) {
      // Credentials were withdrawn on purpose: never sneak back in with what we held.
      this.#deps.secrets.clear();
      return this.#toLogin(
        this.#snapshot.loginMode,
        new GatewayClientError(SIGNED_OUT, reason || 'signed out by the gateway'),
      );
    }
    const message = reason ? `Disconnected: ${reason}` : 'Lost the connection to the gateway';
    // A restart said when the gateway is back: the first attempt waits for that, not less.
    const restart = code === CLOSE.serviceRestart ? this.#snapshot.restartExpectedMs : undefined;
    this.#scheduleRetry(
      new GatewayClientError('UNAVAILABLE', message, { closeCode: code, closeReason: reason }),
      restart,
    );
  }

  /** Shows the sign-in page; with `error`, the gateway's message for the last attempt. */
  #toLogin(mode: LoginMode, error: GatewayClientError | undefined, lockedUntilMs?: number): void {
    this.#carried = undefined;
    this.#client = undefined;
    this.#set({
      ...INITIAL_SNAPSHOT,
      deviceId: this.#snapshot.deviceId,
      phase: 'login',
      generation: this.#snapshot.generation,
      loginMode: mode,
      message: error?.message,
      errorCode: error?.detailCode,
      lockedUntilMs,
    });
  }

  /**
   * A used or expired link: trying again cannot help, so no retry. The page says what to
   * do; `retryNow()` then signs in another way (the device token, or the sign-in page).
   */
  #inviteUsed(error: GatewayClientError): void {
    this.#deps.secrets.invite = undefined;
    this.#carried = undefined;
    this.#client = undefined;
    this.#set({
      ...INITIAL_SNAPSHOT,
      deviceId: this.#snapshot.deviceId,
      phase: 'invite-used',
      generation: this.#snapshot.generation,
      loginMode: this.#snapshot.loginMode,
      message: error.message,
      errorCode: error.detailCode,
    });
  }

  #waitForPairing(error: GatewayClientError): void {
    const delay = Math.max(this.#deps.backoff.next(), error.retryAfterMs ?? 0);
    const requestId = error.details?.requestId;
    this.#set({
      phase: 'pairing',
      message: error.message,
      errorCode: error.detailCode,
      pairingRequestId: typeof requestId === 'string' ? requestId : undefined,
      retryAtMs: this.#deps.now() + delay,
      busy: false,
    });
    this.#timer = this.#deps.timers.set(() => void this.#attempt(), delay);
  }

  #scheduleRetry(error: GatewayClientError, delay = this.#deps.backoff.next()): void {
    this.#client = undefined;
    this.#set({
      phase: this.#snapshot.hello ? 'reconnecting' : 'connecting',
      message: error.message,
      errorCode: error.detailCode,
      retryAtMs: this.#deps.now() + delay,
      busy: false,
    });
    this.#timer = this.#deps.timers.set(() => void this.#attempt(), delay);
  }

  #emit(event: string, payload: unknown): void {
    if (event === 'shutdown')
      this.#set({ stopped: true, restartExpectedMs: restartExpectedMs(payload) });
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#deps.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #set(patch: Partial<ConnectionSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const watcher of this.#watchers) watcher();
  }
}
