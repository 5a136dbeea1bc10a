/**
 * The one mapping between config paths and secrets (DESIGN.md "Secrets"):
 * `models.providers.<id>.apiKey` ↔ `provider:<id>`, `gateway.auth.token` ↔ `gateway:token`,
 * `gateway.auth.password` ↔ `gateway:password`. Everything that needs to know whether a path
 * holds a secret, or where that secret lives, asks here. A provider's further auth profiles
 * live only in the keychain, as `provider:<id>:<profile>`; they have no config path.
 */
import { DEFAULT_PROFILE, PROFILE_NAME_PATTERN, PROVIDER_ID_PATTERN } from './provider-id.js';

/**
 * Names one secret, whatever its source. A provider ref without `profile` (or with
 * `default`) is the provider's own key: env var, config `apiKey`, `provider:<id>`.
 */
export type SecretRef =
  | { kind: 'provider'; id: string; profile?: string | undefined }
  | { kind: 'gateway-token' }
  | { kind: 'gateway-password' };

/** True when `ref` is a named auth profile, which only the keychain holds. */
export function isNamedProfileRef(ref: SecretRef): boolean {
  return ref.kind === 'provider' && ref.profile !== undefined && ref.profile !== DEFAULT_PROFILE;
}

/**
 * The secret a config path holds, or undefined for any other path. A provider id may arrive
 * as a number (`models.providers.7.apiKey` parses `7` as an index) and still names a key.
 */
export function secretRefForPath(path: readonly (string | number)[]): SecretRef | undefined {
  if (path.length === 3 && path[0] === 'gateway' && path[1] === 'auth') {
    if (path[2] === 'token') return { kind: 'gateway-token' };
    if (path[2] === 'password') return { kind: 'gateway-password' };
    return undefined;
  }
  const [a, b, id, d] = path;
  if (path.length !== 4 || a !== 'models' || b !== 'providers' || d !== 'apiKey') return undefined;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  // Any id counts, valid or not: a key under a malformed id is still a key, and the keychain
  // refuses the account rather than the file receiving it.
  return { kind: 'provider', id: String(id) };
}

/** True for the paths whose values are secrets: they live in the keychain, never in responses. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  return secretRefForPath(path) !== undefined;
}

/**
 * The keychain account of `ref`: `provider:<id>`, `provider:<id>:<profile>`, `gateway:token`,
 * `gateway:password`.
 */
export function keychainAccountForRef(ref: SecretRef): string {
  if (ref.kind === 'provider')
    return isNamedProfileRef(ref) ? `provider:${ref.id}:${ref.profile}` : `provider:${ref.id}`;
  return ref.kind === 'gateway-token' ? 'gateway:token' : 'gateway:password';
}

/**
 * The provider and profile a keychain account holds, or undefined for any other account.
 * `provider:<id>:default` is no account of ours: the default profile is `provider:<id>`.
 */
export function providerProfileOfAccount(
  account: string,
): { id: string; profile: string } | undefined {
  const [kind, id, profile, extra] = account.split(':');
  if (kind !== 'provider' || id === undefined || extra !== undefined) return undefined;
  if (!PROVIDER_ID_PATTERN.test(id)) return undefined;
  if (profile === undefined) return { id, profile: DEFAULT_PROFILE };
  if (profile === DEFAULT_PROFILE || !PROFILE_NAME_PATTERN.test(profile)) return undefined;
  return { id, profile };
}

/** The config path of `ref`, e.g. `models.providers.<id>.apiKey`. A named profile has none. */
export function configPathForRef(ref: SecretRef): string[] {
  if (ref.kind === 'provider') return ['models', 'providers', ref.id, 'apiKey'];
  return ['gateway', 'auth', ref.kind === 'gateway-token' ? 'token' : 'password'];
}
