/**
 * Wire types and constants of PROTOCOL.md (v3), shared by gateway, Control UI and CLI.
 * Only type imports here: the zod schemas the gateway parses frames with are in
 * protocol-schemas.ts and record-schemas.ts, and each type below that has a schema is
 * inferred from it, so the Control UI's startup does not load zod (issue 16).
 */
import type { z } from 'zod';
import type {
  clientInfoSchema,
  connectParamsSchema,
  deviceProofSchema,
  requestFrameSchema,
  sessionOverrideSchema,
} from './protocol-schemas.js';
import type {
  ignoredDeviceInfoSchema,
  inviteInfoSchema,
  pairedDeviceSchema,
  pendingRequestSchema,
} from './record-schemas.js';

export const PROTOCOL_VERSION = 3;

/** The role of a `connect` (or an invite) that names none (PROTOCOL.md handshake step 2). */
export const DEFAULT_ROLE = 'operator';

/** The role a `connect`, an invite or a signature is about: the one asked for, or the default. */
export function roleOf(params: { role?: string | undefined }): string {
  return params.role ?? DEFAULT_ROLE;
}

export type RequestFrame = z.infer<typeof requestFrameSchema>;

export interface ResponseOk {
  type: 'res';
  id: string;
  ok: true;
  payload?: unknown;
}
export interface ResponseError {
  type: 'res';
  id: string;
  ok: false;
  error: {
    code: string;
    message: string;
    details?: Record<string, unknown>;
    retryable?: boolean;
    retryAfterMs?: number;
  };
}
export type ResponseFrame = ResponseOk | ResponseError;
export interface EventFrame {
  type: 'event';
  event: string;
  payload?: unknown;
  seq?: number;
}
export type ServerFrame = ResponseFrame | EventFrame;

export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const SCOPE_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
export const CLIENT_MODES = ['ui', 'cli', 'webchat', 'backend', 'node', 'probe', 'test'] as const;

export type ClientInfo = z.infer<typeof clientInfoSchema>;

export type DeviceProof = z.infer<typeof deviceProofSchema>;

/** `connect` params (see connectParamsSchema). */
export type ConnectParams = z.infer<typeof connectParamsSchema>;

export interface HelloOk {
  type: 'hello-ok';
  protocol: number;
  server: { version: string; connId: string };
  features: { methods: string[]; events: string[] };
  snapshot: {
    presence: unknown[];
    health: Record<string, unknown>;
    stateVersion: { presence: number; health: number };
    uptimeMs: number;
    authMode: 'token' | 'password' | 'none';
  };
  auth?: { deviceToken: string; role: string; scopes: string[]; issuedAtMs: number };
  policy: { maxPayload: number; maxBufferedBytes: number; tickIntervalMs: number };
}

/** Event names the gateway may send (PROTOCOL.md "Events"). */
export const GATEWAY_EVENTS = [
  'connect.challenge',
  'tick',
  'device.pair.requested',
  'device.pair.resolved',
  'device.paired',
  'config.changed',
  'chat',
  'shutdown',
] as const;

/** Close codes (PROTOCOL.md "Close codes"). */
export const CLOSE = {
  protocolMismatch: 1002,
  binaryFrame: 1003,
  policy: 1008,
  tooLarge: 1009,
  /** Not in PROTOCOL.md's table: an unexpected failure during `connect` (docs/decisions.md). */
  internalError: 1011,
  serviceRestart: 1012,
  credentialsWithdrawn: 4001,
} as const;

/** Records (PROTOCOL.md "Records"), each inferred from its schema in record-schemas.ts. */
export type PendingRequest = z.infer<typeof pendingRequestSchema>;
export type PairedDevice = z.infer<typeof pairedDeviceSchema>;
/** An open invite as `device.invite.list` shows it (never its code). */
export type InviteInfo = z.infer<typeof inviteInfoSchema>;

/** A newly made invite (`device.invite.create`): the code is shown this once. */
export interface InviteCreated {
  inviteId: string;
  code: string;
  expiresAtMs: number;
  role: string;
  scopes: string[];
  /** `<origin>/#invite=<code>`, plus `&fp=<sha256>` when TLS is on. */
  setupUrl: string;
}

/** A device whose requests are ignored (`device.pair.list` → `ignored`, an addition). */
export type IgnoredDeviceInfo = z.infer<typeof ignoredDeviceInfoSchema>;

/**
 * The `device.pair.list` payload (`ignored` is an addition of this gateway). `paired` is
 * one page (params `{limit?, cursor?}`); `nextCursor` is set when more devices follow.
 */
export interface PairListPayload {
  pending: PendingRequest[];
  paired: PairedDevice[];
  ignored: IgnoredDeviceInfo[];
  nextCursor?: string;
}

export interface StatusPayload {
  version: string;
  uptimeMs: number;
  bind: string;
  port: number;
  authMode: 'token' | 'password' | 'none';
  connections: number;
  pendingPairings: number;
  keychain: { available: boolean; backend: string };
  tls: StatusTls;
}

/** `status.tls`: whether the port speaks HTTPS/WSS, and the certificate clients pin. */
export interface StatusTls {
  enabled: boolean;
  /** SHA-256 of the certificate, `AB:CD:…` (what `--tls-fingerprint` takes). */
  fingerprintSha256?: string;
  /** The certificate's notAfter, epoch ms. */
  expiresAtMs?: number;
}

export interface ChatEvent {
  runId: string;
  sessionId: string;
  state: 'delta' | 'final' | 'error';
  text?: string;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  /** `final` only: who answered. `profile` is null for a provider that needs no key. */
  provider?: string;
  model?: string;
  profile?: string | null;
}

/** `chat.send` `override` and a session's override: beats the agent's choice for a run. */
export interface ChatOverride {
  provider?: string | undefined;
  model?: string | undefined;
  profile?: string | undefined;
}

/** One named key of a provider (`models.auth.list`); never the key, only its masked tail. */
export interface AuthProfile {
  provider: string;
  profile: string;
  source: 'env' | 'config' | 'keychain';
  masked?: string;
  /** Where the next run tries it, from 1. */
  order: number;
  state: 'ready' | 'cooldown' | 'disabled';
  cooldownUntilMs?: number;
  disabledReason?: string;
  lastUsedAtMs?: number;
  lastError?: { httpStatus?: number; code: string; atMs: number };
}

/** One entry of `details.attempts` of a chat run that failed over. */
export interface ProviderAttempt {
  provider: string;
  /** Null when the model could not be chosen (the provider could not list its models). */
  model: string | null;
  /** Null for a provider that needs no key. */
  profile: string | null;
  httpStatus?: number;
  code: string;
}

/** `models.list` payload. */
export interface ModelListPayload {
  provider: string;
  models: { id: string; ownedBy?: string }[];
  fetchedAtMs: number;
}

/** A session's (or one run's) provider, model and auth profile (see sessionOverrideSchema). */
export type SessionOverride = z.infer<typeof sessionOverrideSchema>;

/** One session as `sessions.list`, `sessions.get` and `sessions.patch` show it. */
export interface SessionSummary {
  sessionId: string;
  agentId: string;
  /** Set by `sessions.patch`, else the start of the first user message. */
  title: string;
  createdAtMs: number;
  /** Last message or patch; `sessions.list` is newest first by this. */
  updatedAtMs: number;
  messageCount: number;
  override?: SessionOverride;
}

/**
 * One message of `sessions.get`. `aborted` marks a reply stopped part-way, `failed` one the
 * provider broke off; either way its text is what arrived.
 */
export interface SessionMessageView {
  role: 'user' | 'assistant';
  text: string;
  ts: number;
  provider?: string;
  model?: string;
  profile?: string;
  aborted?: boolean;
  failed?: boolean;
}

export interface SessionsListPayload {
  sessions: SessionSummary[];
}

export interface SessionsGetPayload {
  session: SessionSummary;
  /** Oldest first. */
  messages: SessionMessageView[];
  /** Older messages left out so the answer fits one frame (`messages` holds the newest). */
  omitted?: number;
}
