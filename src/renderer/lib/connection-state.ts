/**
 * What the Control UI's connection (connection.ts) exposes: the snapshot pages render
 * from, its phases, and the dependencies it is built with.
 */
import type { DeviceIdentity } from '../../shared/device-auth.js';
import type { WebSocketLike } from '../../shared/gateway-client.js';
import type { ClientInfo, HelloOk } from '../../shared/protocol.js';
import type { Backoff } from './backoff.js';
import type { Relocation } from './restart.js';
import type { SessionSecrets } from './session-secrets.js';

/** `invite-used`: the link's invite was already spent or expired; nothing retries it. */
export type ConnectionPhase =
  'connecting' | 'connected' | 'reconnecting' | 'login' | 'pairing' | 'invite-used';
export type LoginMode = 'token' | 'password';

/** What the UI renders from; replaced (never mutated) on every change. */
export interface ConnectionSnapshot {
  readonly phase: ConnectionPhase;
  /** The last `hello-ok`; kept while reconnecting so the app stays on screen. */
  readonly hello: HelloOk | undefined;
  /** Counts successful connects, so pages reload their data after a reconnect. */
  readonly generation: number;
  readonly loginMode: LoginMode;
  /** The gateway's own message for the current problem, shown verbatim. */
  readonly message: string | undefined;
  readonly errorCode: string | undefined;
  /** AUTH_RATE_LIMITED: no login attempt before this time (epoch ms). */
  readonly lockedUntilMs: number | undefined;
  /** When the next automatic attempt starts (epoch ms), if one is scheduled. */
  readonly retryAtMs: number | undefined;
  /** The gateway announced `shutdown`. */
  readonly stopped: boolean;
  /** Its `shutdown` said it restarts, back in about this long (lib/restart.ts). */
  readonly restartExpectedMs: number | undefined;
  /** A restart moves the gateway to another address, which this page cannot follow. */
  readonly relocation: Relocation | undefined;
  readonly pairingRequestId: string | undefined;
  /** An attempt is in flight (the login button shows progress). */
  readonly busy: boolean;
  /** This browser's device id, once its key is loaded. */
  readonly deviceId: string | undefined;
  /** The scopes this browser was granted, when known (pages skip what they do not allow). */
  readonly scopes: readonly string[] | undefined;
}

/** Timer functions, injected so tests can drive time. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ConnectionDeps {
  openSocket: () => WebSocketLike;
  identity: () => Promise<DeviceIdentity>;
  secrets: SessionSecrets;
  client: ClientInfo;
  backoff: Backoff;
  now: () => number;
  timers: Timers;
}

/** `errorCode` after a 4001 close: the gateway withdrew this browser's credentials. */
export const SIGNED_OUT = 'SIGNED_OUT';

/** Before the first attempt. */
export const INITIAL_SNAPSHOT: ConnectionSnapshot = {
  phase: 'connecting',
  hello: undefined,
  generation: 0,
  loginMode: 'token',
  message: undefined,
  errorCode: undefined,
  lockedUntilMs: undefined,
  retryAtMs: undefined,
  stopped: false,
  restartExpectedMs: undefined,
  relocation: undefined,
  pairingRequestId: undefined,
  busy: false,
  deviceId: undefined,
  scopes: undefined,
};
