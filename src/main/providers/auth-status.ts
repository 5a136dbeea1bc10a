/**
 * The `models.authStatus` payload (PROTOCOL.md): for each provider, which credential source
 * won for its `default` profile and whether the provider is usable; for each agent, the
 * status of its provider; and every auth profile with its state. Keys are never returned,
 * only a masked tail.
 */
import { maskSecret } from '../secrets/resolve.js';
import type { Config, ProviderConfig } from '../../shared/config-schema.js';
import { providerEnvVar } from '../../shared/config-schema.js';
import type { AuthProfile } from '../../shared/protocol.js';
import type {
  AuthStatus,
  ProbeResult,
  ProviderAuthRow,
  ProviderAuthState,
} from '../../shared/api-results.js';
import { isLoopbackUrl } from './loopback.js';
import { probeProvider } from './probe.js';
import type { ProbeOptions } from './probe.js';
import type { ResolveKey, ResolvedSecret } from './provider-types.js';

/** The payload types are declared once in src/shared (read by the UI and the CLI too). */
export type { AuthStatus, ProviderAuthRow } from '../../shared/api-results.js';

export interface AuthStatusOptions {
  config: Config;
  resolveKey: ResolveKey;
  /** Also call each provider (`GET /models`); a rejected key turns the status to `invalid`. */
  probe?: boolean;
  probeFn?: (options: ProbeOptions) => Promise<ProbeResult>;
  /** The auth profiles (`AuthProfiles.list`); a provider with only named profiles is `ok`. */
  listProfiles?: () => Promise<AuthProfile[]>;
}

/** A provider on this machine (loopback `baseUrl`) needs no key; any other does. */
export function providerNeedsKey(provider: Pick<ProviderConfig, 'baseUrl'>): boolean {
  return !isLoopbackUrl(provider.baseUrl);
}

/** Builds the `models.authStatus` payload. Probes run in parallel, each under its own timeout. */
export async function computeAuthStatus(options: AuthStatusOptions): Promise<AuthStatus> {
  const { config, resolveKey, probeFn = probeProvider } = options;
  const entries = Object.entries(config.models.providers);
  const profiles = await options.listProfiles?.().catch(() => []);
  const providers = await Promise.all(
    entries.map(async ([id, provider]): Promise<ProviderAuthRow> => {
      const secret = await resolveQuietly(resolveKey, id);
      const own = (profiles ?? []).filter((profile) => profile.provider === id);
      const row = withProfiles(baseRow(id, provider, secret), own);
      // The probe uses the default key; a provider with named profiles only is not probed.
      const probeable = Boolean(secret.value) || row.status === 'not-required';
      if (!options.probe || !probeable) return row;
      const probe = await probeFn({
        provider: { id, type: provider.type, baseUrl: provider.baseUrl },
        apiKey: secret.value,
      });
      return { ...row, probe, status: probe.error?.kind === 'rejected' ? 'invalid' : row.status };
    }),
  );
  const statusById = new Map(providers.map((row) => [row.id, row.status]));
  const agents = config.agents.list.map((agent) => ({
    id: agent.id,
    provider: agent.model.provider,
    status: statusById.get(agent.model.provider) ?? 'missing',
  }));
  return { providers, agents, ...(profiles === undefined ? {} : { profiles }) };
}

/** A provider whose profiles are all disabled is `invalid`; one with any profile has a key. */
function withProfiles(row: ProviderAuthRow, profiles: readonly AuthProfile[]): ProviderAuthRow {
  if (profiles.length === 0) return row;
  if (profiles.every((profile) => profile.state === 'disabled'))
    return { ...row, status: 'invalid' };
  return row.status === 'missing' ? { ...row, status: 'ok' } : row;
}

function baseRow(id: string, provider: ProviderConfig, secret: ResolvedSecret): ProviderAuthRow {
  const key = secret.value || undefined;
  // Always the variable that feeds this provider, so a `missing` row says what to set.
  const envVar = secret.envVar ?? providerEnvVar(id);
  const credential: ProviderAuthRow['credential'] = {
    source: key ? secret.source : 'none',
    envVar,
    ...(key ? { masked: maskSecret(key) } : {}),
  };
  const status: ProviderAuthState = key
    ? 'ok'
    : providerNeedsKey(provider)
      ? 'missing'
      : 'not-required';
  return { id, type: provider.type, baseUrl: provider.baseUrl, credential, status };
}

/**
 * A keychain that cannot be reached must not hide the whole table: that provider shows as
 * having no key, and `status.keychain.available` says why.
 */
async function resolveQuietly(resolveKey: ResolveKey, id: string): Promise<ResolvedSecret> {
  try {
    return await resolveKey(id);
  } catch {
    return { source: 'none' };
  }
}
