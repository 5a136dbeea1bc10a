import { EXIT } from '../../shared/exit-codes.js';
import { GatewayLockedError } from '../gateway/gateway-lock.js';

/**
 * What the desktop shell uses of the gateway, and nothing more. The lead's `GatewayApp`
 * (src/main/app.ts) satisfies it structurally, so this folder never depends on the
 * gateway's internals and tests can pass a recorded stand-in.
 */

/** The fields of PROTOCOL.md `PendingRequest` that the tray and notifications show. */
export interface DesktopPendingRequest {
  requestId: string;
  deviceId: string;
  displayName?: string | undefined;
  platform?: string | undefined;
  remoteIp: string;
  ts: number;
}

/** PROTOCOL.md `device.pair.resolved`. */
export interface PairingResolvedEvent {
  requestId: string;
  deviceId: string;
  decision: 'approved' | 'rejected' | 'expired';
  ts: number;
}

/** The in-process pairing service, as the tray sees it. */
export interface DesktopPairing {
  list(): { pending: DesktopPendingRequest[] };
  approve(requestId: string): Promise<unknown>;
  reject(requestId: string): Promise<unknown>;
  on(event: 'requested', fn: (request: DesktopPendingRequest) => void): unknown;
  on(event: 'resolved', fn: (event: PairingResolvedEvent) => void): unknown;
  off(event: 'requested', fn: (request: DesktopPendingRequest) => void): unknown;
  off(event: 'resolved', fn: (event: PairingResolvedEvent) => void): unknown;
  /** Makes an invite (the tray's dashboard link is one); its code is returned this once. */
  invites: {
    create(input: {
      role: string;
      scopes: readonly string[];
      ttlMs: number;
      label?: string;
    }): Promise<{ code: string }>;
  };
}

/** A running gateway. */
export interface DesktopGateway {
  readonly port: number;
  readonly url: string;
  readonly authMode: 'token' | 'password' | 'none';
  /** PROTOCOL.md `status.tls`; the tray shows the fingerprint. */
  readonly tls?: { readonly enabled: boolean; readonly fingerprintSha256?: string | undefined };
  readonly pairing: DesktopPairing;
  /** With `restartExpectedMs`, clients hear when to come back and the lock stays for the next start. */
  stop(reason?: string, restartExpectedMs?: number): Promise<void>;
}

/** Leveled logger, the shape the gateway takes (src/main/util/logger.ts). */
export interface DesktopLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Starts a gateway; rejects with an error carrying `code`/`port` or `exitCode` (see below). */
export type StartGateway = (options: {
  env: NodeJS.ProcessEnv;
  logger?: DesktopLogger;
  /** `gateway.restart` was called: stop this gateway with `restartExpectedMs`, start a new one. */
  onRestartRequested?: (restartExpectedMs: number) => void;
}) => Promise<DesktopGateway>;

/** Why the gateway did not start, in the terms the tray shows. */
export type GatewayStartFailure =
  /** `ownHome`: this home's own gateway holds it (its lock says so; no need to ask it). */
  | { kind: 'port-in-use'; port: number; message: string; ownHome?: true; url?: string }
  | { kind: 'config-invalid'; message: string }
  | { kind: 'other'; message: string };

/**
 * Sort a start failure: `code: 'EADDRINUSE'` with `port` means another process holds the
 * port; `exitCode: EXIT.config` means the config or a store is invalid (the message says where).
 */
export function describeStartFailure(error: unknown, fallbackPort: number): GatewayStartFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (typeof error !== 'object' || error === null) return { kind: 'other', message };
  const fields = error as { code?: unknown; port?: unknown; exitCode?: unknown };
  if (fields.code === 'EADDRINUSE') {
    const port = typeof fields.port === 'number' ? fields.port : fallbackPort;
    return { kind: 'port-in-use', port, message: `Port ${port} is already in use` };
  }
  // This home's own gateway already runs (e.g. `special-agent gateway run`): like a port
  // held by a special-agent gateway, the tray opens that one's UI.
  if (error instanceof GatewayLockedError && error.port !== undefined) {
    return {
      kind: 'port-in-use',
      port: error.port,
      message: `Another special-agent gateway (PID ${error.pid}) already runs on this home, ${error.url ? `at ${error.url}` : `on port ${error.port}`}`,
      ownHome: true,
      ...(error.url === undefined ? {} : { url: error.url }),
    };
  }
  if (fields.exitCode === EXIT.config) return { kind: 'config-invalid', message };
  return { kind: 'other', message };
}
