/** Payload shapes of the gateway methods the Control UI calls (PROTOCOL.md "Methods"). */
import type { ConfigInput } from '../../shared/config-schema.js';
import type { IgnoredDeviceInfo, PairedDevice, PendingRequest } from '../../shared/protocol.js';

export type { IgnoredDeviceInfo, InviteCreated, InviteInfo } from '../../shared/protocol.js';

export interface PairList {
  pending: PendingRequest[];
  paired: PairedDevice[];
  /** Devices whose requests are ignored (older gateways sent none). */
  ignored?: IgnoredDeviceInfo[];
  /** Set when more paired devices follow: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

/** `device.paired`: every new pairing; `inviteId` names the invite that made it. */
export interface DevicePairedEvent {
  device: PairedDevice;
  approvedBy: PairedDevice['approvedBy'];
  inviteId?: string;
}

/** `kind` is rejected | unreachable | error; older gateways sent a plain string. */
export type ProbeError = string | { kind: string; message: string };

export interface ProbeResult {
  ok: boolean;
  httpStatus?: number;
  latencyMs: number;
  error?: ProbeError;
}

export interface ProviderCredential {
  source: 'env' | 'config' | 'keychain' | 'none';
  envVar?: string;
  masked?: string;
}

export interface ProviderStatus {
  id: string;
  type: 'openai' | 'anthropic';
  baseUrl: string;
  credential: ProviderCredential;
  status: 'ok' | 'missing' | 'not-required' | 'invalid';
  probe?: ProbeResult;
}

export interface AuthStatus {
  providers: ProviderStatus[];
  agents: { id: string; provider: string; status: string }[];
}

export interface AgentSummary {
  id: string;
  name?: string;
  provider: string;
  model?: string;
}

export interface AgentsList {
  agents: AgentSummary[];
  default?: string;
}

/** `config.get` with every secret replaced by "[redacted]". */
export interface ConfigGet {
  config: ConfigInput;
  /** Which file it came from: sent back as `baseHash` by a form that saves. */
  hash: string;
}

export interface ConfigSetResult {
  path: string;
  restartRequired: boolean;
  /** The file's hash after the write: the next save's `baseHash`. */
  hash: string;
}

/** `models.auth.list`: one named key of a provider, never the key itself. */
export type { AuthProfile } from '../../shared/protocol.js';
