/**
 * Test support (not shipped behaviour): an in-memory `SecretStore` that can list its
 * accounts, and the profiles service over it, for unit tests that need no Secret Service.
 * Suites that test the keychain itself use the real one (keychain.test-support.ts).
 */
import { configSchema, type Config, type ConfigInput } from '../../shared/config-schema.js';
import { GatewayError } from '../../shared/errors.js';
import type { SecretStore } from '../secrets/keychain.js';
import { SecretsService } from '../secrets/secrets-service.js';
import type { Clock } from '../util/clock.js';
import { AuthProfiles } from './auth-profiles.js';
import { ProfileStateStore } from './profile-state-store.js';

/** A store in a Map; `unavailable` makes every call fail as a locked keychain would. */
export function memoryKeychain(initial: Record<string, string> = {}) {
  const entries = new Map(Object.entries(initial));
  const state = { unavailable: false };
  const guard = <T>(work: () => T): Promise<T> =>
    state.unavailable
      ? Promise.reject(GatewayError.of('KEYCHAIN_UNAVAILABLE'))
      : Promise.resolve(work());
  const store: SecretStore & { entries: Map<string, string>; state: typeof state } = {
    entries,
    state,
    get: (account) => guard(() => entries.get(account) ?? null),
    set: (account, value) => guard(() => void entries.set(account, value)),
    delete: (account) => guard(() => entries.delete(account)),
    probe: () => Promise.resolve({ available: !state.unavailable, backend: 'memory' }),
    listAccounts: () => guard(() => [...entries.keys()]),
  };
  return store;
}

/** A mutable config, a memory keychain, and the profiles service over both. */
export function profilesOver(
  input: ConfigInput,
  options: { keys?: Record<string, string>; env?: NodeJS.ProcessEnv; clock: Clock },
) {
  let config: Config = configSchema.parse(input);
  const keychain = memoryKeychain(options.keys);
  const getConfig = () => config;
  const secrets = new SecretsService({
    store: keychain,
    editConfig: () => Promise.reject(new Error('no config file in this test')),
    getConfig,
    env: options.env ?? {},
  });
  const state = ProfileStateStore.inMemory();
  const profiles = new AuthProfiles({ getConfig, secrets, state, clock: options.clock });
  return {
    profiles,
    keychain,
    state,
    secrets,
    getConfig,
    setConfig: (next: ConfigInput) => (config = configSchema.parse(next)),
  };
}
