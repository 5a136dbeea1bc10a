/**
 * Every gateway limit, named, with its default in one place (STYLE.md; PROTOCOL.md
 * "Transport"). Tests and benchmarks override single values through `GatewayLimits`.
 */
import { FAILED_AUTH_LIMITS } from '../auth/rate-limiter.js';
import { DEFAULT_CERTIFICATE_POLICY } from '../tls/certificate-policy.js';

export interface GatewayLimits {
  /** Largest frame accepted before `hello-ok` (close 1009 `preauth payload too large`). */
  preauthMaxPayload: number;
  /** Time allowed between the upgrade and a `connect` (close 1008 `handshake timeout`). */
  handshakeTimeoutMs: number;
  /** Largest frame after `hello-ok`, enforced by the WebSocket layer (close 1009). */
  maxPayload: number;
  /** Unsent bytes a client may leave queued before close 1008 `slow consumer`. */
  maxBufferedBytes: number;
  /**
   * Unsent bytes past which a chat run stops reading its provider until the client has
   * taken them (the reply waits upstream, not in the gateway's memory).
   */
  streamQueuedBytes: number;
  /** How long a client may take nothing while a run waits on it, before 1008 `slow consumer`. */
  stalledClientMs: number;
  tickIntervalMs: number;
  /** Allowed |now − signedAt| for a device signature. */
  signatureSkewMs: number;
  /**
   * Imported device public keys kept for the next handshake (an import is the slow part of
   * a verify); past this many the cache starts over, so forged keys cannot grow it.
   */
  maxCachedDeviceKeys: number;
  /** Calls refused for a missing scope before the connection closes 1008. */
  maxForbiddenCalls: number;
  /** Open sockets (authenticated or not) beyond which new upgrades get HTTP 503. */
  maxConnections: number;
  /** How long a closing socket may take to answer the close handshake before it is cut. */
  closeHandshakeMs: number;
  /** How long `status` reuses one keychain probe (a probe is an OS round trip, ~1 ms). */
  keychainStatusTtlMs: number;
  /** node:http slowloris guards. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxHeaderBytes: number;
  /** Wrong secrets under one lockout key, within `lockoutWindowMs`, that lock the key. */
  lockoutMaxFailures: number;
  lockoutWindowMs: number;
  /** How long a locked key is refused with `AUTH_RATE_LIMITED`. */
  lockoutMs: number;
  /** How often the running gateway checks its TLS certificate (renewal, reload from disk). */
  tlsRecheckIntervalMs: number;

  // Pre-auth memory (issue 11). The pre-auth frame limit is preauthMaxPayload above.
  /**
   * Sockets without `hello-ok`, upgraded or not, per client address (behind a trusted
   * proxy the forwarded one, counted from the upgrade), past which new upgrades get HTTP
   * 503 (address-counts.ts). Loopback addresses are held to it too.
   */
  maxUnauthenticatedPerAddress: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  preauthMaxPayload: 64 * 1024,
  handshakeTimeoutMs: 10_000,
  maxPayload: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  streamQueuedBytes: 64 * 1024,
  stalledClientMs: 30_000,
  tickIntervalMs: 30_000,
  signatureSkewMs: 120_000,
  maxCachedDeviceKeys: 4096,
  maxForbiddenCalls: 10,
  maxConnections: 2048,
  closeHandshakeMs: 2000,
  keychainStatusTtlMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
  // The limiter's own defaults, so the numbers live in one place.
  lockoutMaxFailures: FAILED_AUTH_LIMITS.maxFailures,
  lockoutWindowMs: FAILED_AUTH_LIMITS.windowMs,
  lockoutMs: FAILED_AUTH_LIMITS.lockoutMs,
  tlsRecheckIntervalMs: DEFAULT_CERTIFICATE_POLICY.recheckIntervalMs,

  // Pre-auth memory (issue 11).
  maxUnauthenticatedPerAddress: 32,
};
