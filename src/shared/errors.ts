/**
 * The one registry of error codes (STYLE.md "Errors"). Each `details.code` maps to its
 * protocol `error.code`, a default one-line message that says what to do, and — where the
 * error ends the socket — the WebSocket close code. Codes are never reused.
 */
import { formatRetry } from './format-duration.js';

/** Top-level `error.code` values of PROTOCOL.md. */
export const PROTOCOL_ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'NOT_PAIRED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'PROVIDER_ERROR',
  'INTERNAL',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

interface DetailDefinition {
  readonly protocolCode: ProtocolErrorCode;
  readonly message: string;
  /** The message when `retryAfterMs` is known, given the wait in words ("4 min 12 s"). */
  readonly retryMessage?: (wait: string) => string;
  /** Close code when this error ends a `connect`; absent when the socket stays open. */
  readonly closeCode?: number;
}

/** `details.code` → definition. The keys are exactly PROTOCOL.md's `details.code` list. */
export const ERROR_DETAILS = {
  AUTH_TOKEN_MISSING: {
    protocolCode: 'UNAUTHORIZED',
    message:
      'unauthorized: gateway token missing (pass the token from SPECIAL_AGENT_GATEWAY_TOKEN or gateway.auth.token)',
    closeCode: 1008,
  },
  AUTH_TOKEN_MISMATCH: {
    protocolCode: 'UNAUTHORIZED',
    message:
      'unauthorized: gateway token mismatch (check SPECIAL_AGENT_GATEWAY_TOKEN or gateway.auth.token)',
    closeCode: 1008,
  },
  AUTH_PASSWORD_MISSING: {
    protocolCode: 'UNAUTHORIZED',
    message:
      'unauthorized: gateway password missing (pass the password from SPECIAL_AGENT_GATEWAY_PASSWORD or gateway.auth.password)',
    closeCode: 1008,
  },
  AUTH_PASSWORD_MISMATCH: {
    protocolCode: 'UNAUTHORIZED',
    message:
      'unauthorized: gateway password mismatch (check SPECIAL_AGENT_GATEWAY_PASSWORD or gateway.auth.password)',
    closeCode: 1008,
  },
  AUTH_DEVICE_TOKEN_MISMATCH: {
    protocolCode: 'UNAUTHORIZED',
    message:
      'unauthorized: device token mismatch (it was rotated or revoked; reconnect with the gateway token to get a new one)',
    closeCode: 1008,
  },
  AUTH_RATE_LIMITED: {
    protocolCode: 'RATE_LIMITED',
    message: 'unauthorized: too many failed attempts (try again later, then check the secret)',
    retryMessage: (wait: string) =>
      `unauthorized: too many failed attempts (try again in ${wait}, then check the secret)`,
    closeCode: 1008,
  },
  DEVICE_IDENTITY_REQUIRED: {
    protocolCode: 'INVALID_REQUEST',
    message: 'device identity required (send device {id, publicKey, signature, signedAt, nonce})',
    closeCode: 1008,
  },
  DEVICE_ID_MISMATCH: {
    protocolCode: 'UNAUTHORIZED',
    message: 'device id mismatch (device.id must be the hex SHA-256 of the raw public key)',
    closeCode: 1008,
  },
  DEVICE_PUBLIC_KEY_INVALID: {
    protocolCode: 'UNAUTHORIZED',
    message: 'device public key invalid (send the raw 32-byte Ed25519 key, base64url)',
    closeCode: 1008,
  },
  DEVICE_SIGNATURE_EXPIRED: {
    protocolCode: 'UNAUTHORIZED',
    message: 'device signature expired (signedAt must be within 120 s; check the system clock)',
    closeCode: 1008,
  },
  DEVICE_NONCE_MISMATCH: {
    protocolCode: 'UNAUTHORIZED',
    message: "device nonce mismatch (sign the nonce of this connection's connect.challenge)",
    closeCode: 1008,
  },
  DEVICE_SIGNATURE_INVALID: {
    protocolCode: 'UNAUTHORIZED',
    message: 'device signature invalid (sign the v3 payload with the device key)',
    closeCode: 1008,
  },
  PAIRING_REQUIRED: {
    protocolCode: 'NOT_PAIRED',
    message:
      "pairing required (approve this device in the Control UI, or on the gateway's machine: special-agent devices list shows the request)",
    closeCode: 1008,
  },
  PAIRING_LIMIT_REACHED: {
    protocolCode: 'NOT_PAIRED',
    message:
      'pairing request limit reached (approve or reject pending requests, or try again later)',
    retryMessage: (wait: string) =>
      `pairing request limit reached (approve or reject pending requests, or try again in ${wait})`,
    closeCode: 1008,
  },
  MISSING_SCOPE: {
    protocolCode: 'FORBIDDEN',
    message: 'missing scope (this device was not approved for this method)',
  },
  PROVIDER_NO_CREDENTIALS: {
    protocolCode: 'PROVIDER_ERROR',
    message: 'No credentials found for provider',
  },
  PROVIDER_UNREACHABLE: {
    protocolCode: 'PROVIDER_ERROR',
    message: 'provider unreachable (check the provider baseUrl and that it is running)',
  },
  PROVIDER_REJECTED_KEY: {
    protocolCode: 'PROVIDER_ERROR',
    message:
      'provider rejected the API key (set a new one with: special-agent configure set models.providers.<id>.apiKey -)',
  },
  KEYCHAIN_UNAVAILABLE: {
    protocolCode: 'UNAVAILABLE',
    message: 'OS keychain unavailable',
  },
  CONFIG_INVALID: {
    protocolCode: 'INVALID_REQUEST',
    message: 'config invalid',
  },
  INVITE_INVALID: {
    protocolCode: 'NOT_FOUND',
    message:
      'unauthorized: invite invalid (it was used, revoked or has expired; ask for a new one with: special-agent devices invite)',
    closeCode: 1008,
  },
  PROVIDER_EXHAUSTED: {
    protocolCode: 'PROVIDER_ERROR',
    message:
      'every key and fallback of this agent failed (see details.attempts; check the keys with: special-agent models auth-status --probe)',
  },
} as const satisfies Record<string, DetailDefinition>;

export type ErrorDetailCode = keyof typeof ERROR_DETAILS;

/** The wire shape of `res.error`. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  details?: { code?: ErrorDetailCode | undefined; [key: string]: unknown } | undefined;
  retryable?: boolean | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * An error that knows its wire form. Thrown by method handlers and services; the router
 * turns it into `res.error`. Anything else thrown becomes `INTERNAL` with no detail.
 */
export class GatewayError extends Error {
  readonly code: ProtocolErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;
  readonly closeCode: number | undefined;

  constructor(
    code: ProtocolErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; retryAfterMs?: number; closeCode?: number } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
    this.closeCode = options.closeCode;
  }

  /**
   * Builds the error registered for `detailCode`, optionally with a more precise message.
   * With `retryAfterMs`, a registered retry message says the wait in words.
   */
  static of(
    detailCode: ErrorDetailCode,
    options: { message?: string; details?: Record<string, unknown>; retryAfterMs?: number } = {},
  ): GatewayError {
    const definition: DetailDefinition = ERROR_DETAILS[detailCode];
    const retry =
      definition.retryMessage && options.retryAfterMs !== undefined
        ? definition.retryMessage(formatRetry(options.retryAfterMs))
        : undefined;
    return new GatewayError(
      definition.protocolCode,
      options.message ?? retry ?? definition.message,
      {
        details: { code: detailCode, ...options.details },
        ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
        ...(definition.closeCode === undefined ? {} : { closeCode: definition.closeCode }),
      },
    );
  }

  /**
   * `res.error`. `retryable: true` exactly when the gateway knows the wait after which the
   * same request may succeed unchanged (`retryAfterMs`): a lockout, a pairing or invite
   * limit, a provider cooldown. Everything else needs the caller to change something first.
   */
  toWire(): ProtocolError {
    return {
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.retryAfterMs === undefined
        ? {}
        : { retryable: true, retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** Shorthands for errors without a `details.code`. */
export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('INVALID_REQUEST', message, details ? { details } : {});
export const notFound = (message: string) => new GatewayError('NOT_FOUND', message);
export const conflict = (message: string) => new GatewayError('CONFLICT', message);
export const unavailable = (message: string, details?: Record<string, unknown>) =>
  new GatewayError('UNAVAILABLE', message, details ? { details } : {});
export const rateLimited = (message: string, retryAfterMs?: number) =>
  new GatewayError('RATE_LIMITED', message, retryAfterMs === undefined ? {} : { retryAfterMs });
/** A failure nobody foresaw: the caller learns only that, the gateway log has the rest. */
export const internalError = (closeCode?: number) =>
  new GatewayError(
    'INTERNAL',
    'internal error (see the gateway log)',
    closeCode === undefined ? {} : { closeCode },
  );

/**
 * PAIRING_REQUIRED naming the request to approve: the CLI prints the message as it is, so
 * its command must paste. A device past the pending caps has no request: the registry's.
 */
export function pairingRequired(requestId: string | undefined, reason: string): GatewayError {
  if (requestId === undefined) return GatewayError.of('PAIRING_REQUIRED', { details: { reason } });
  return GatewayError.of('PAIRING_REQUIRED', {
    message: `pairing required (approve this device in the Control UI, or on the gateway's machine with: special-agent devices approve ${requestId})`,
    details: { requestId, reason },
  });
}
