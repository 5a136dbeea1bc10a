/**
 * Result and event payloads of gateway methods (PROTOCOL.md "Methods", "Events") that the
 * gateway builds and the Control UI and the CLI read, declared once here. Types only, so an
 * import pulls no runtime code into the UI bundle. The records they hold (devices,
 * requests, profiles) are in protocol.ts.
 */
import type { ProviderConfig } from './config-schema.js';
import type { AuthProfile, PairedDevice } from './protocol.js';

/** `rejected`: 401/403. `unreachable`: no connection or timeout. `error`: any other answer. */
export type ProbeErrorKind = 'rejected' | 'unreachable' | 'error';

/** The `probe` object of a `models.authStatus` provider row. */
export interface ProbeResult {
  ok: boolean;
  httpStatus?: number;
  latencyMs: number;
  error?: { kind: ProbeErrorKind; message: string };
}

/** Whether a provider is usable: `not-required` is a provider on this machine with no key. */
export type ProviderAuthState = 'ok' | 'missing' | 'not-required' | 'invalid';

/** Which credential source won for a provider's `default` profile; only a masked tail. */
export interface ProviderCredential {
  source: 'env' | 'config' | 'keychain' | 'none';
  envVar?: string;
  masked?: string;
}

/** One provider row of `models.authStatus`. */
export interface ProviderAuthRow {
  id: string;
  type: ProviderConfig['type'];
  baseUrl: string;
  credential: ProviderCredential;
  status: ProviderAuthState;
  probe?: ProbeResult;
}

/** One agent row of `models.authStatus`: the status of its provider. */
export interface AgentAuthRow {
  id: string;
  provider: string;
  status: ProviderAuthState;
}

/** The `models.authStatus` payload. */
export interface AuthStatus {
  providers: ProviderAuthRow[];
  agents: AgentAuthRow[];
  /** Every auth profile of every provider, in try order (when profiles were asked for). */
  profiles?: AuthProfile[];
}

/** Payload of the `device.paired` event: every approval (local-auto, operator or invite). */
export interface DevicePairedEvent {
  device: PairedDevice;
  approvedBy: PairedDevice['approvedBy'];
  /** The invite that paired it (`approvedBy: "invite"` only), so its maker can tell. */
  inviteId?: string;
}

/** The `chat.send` result: the run started, its events follow. */
export interface ChatSendResult {
  runId: string;
  sessionId: string;
}
