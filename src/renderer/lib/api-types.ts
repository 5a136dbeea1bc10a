/** Payload shapes of the gateway methods the Control UI calls (PROTOCOL.md "Methods"). */
import type { ConfigInput } from '../../shared/config-schema.js';
import type { ProbeResult } from '../../shared/api-results.js';
import type { IgnoredDeviceInfo, PairListPayload } from '../../shared/protocol.js';

export type { IgnoredDeviceInfo, InviteCreated, InviteInfo } from '../../shared/protocol.js';

/** Older gateways sent no `ignored`; the UI reads a missing list as none. */
export type PairList = Omit<PairListPayload, 'ignored'> & { ignored?: IgnoredDeviceInfo[] };

/** The payload types the gateway builds are declared once in src/shared. */
export type {
  AuthStatus,
  DevicePairedEvent,
  ProbeResult,
  ProviderCredential,
  ProviderAuthRow as ProviderStatus,
} from '../../shared/api-results.js';

/** A probe as the UI reads it: older gateways sent `error` as a plain string. */
export type ProbeSeen = Omit<ProbeResult, 'error'> & { error?: ProbeResult['error'] | string };

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
