import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../shared/errors.js';
import { providerEnvVar, type Config } from '../../shared/config-schema.js';
import { ownValue } from '../../shared/own-key.js';
import {
  isNamedProfileRef,
  keychainAccountForRef,
  type SecretRef,
} from '../../shared/secret-paths.js';
import type { SecretStore } from './keychain.js';

export type { SecretRef } from '../../shared/secret-paths.js';

/** Where a secret came from; `auth-status` and `status` show this. */
export type SecretSource = 'env' | 'config' | 'keychain' | 'none';

/** The outcome of {@link resolveSecret}. */
export interface ResolvedSecret {
  value?: string;
  source: SecretSource;
  /** The environment variable that supplied the value; set only when `source` is `env`. */
  envVar?: string;
  /** Why the keychain could not be read; `source` is then `none`. */
  error?: GatewayError;
}

/** Env var names of the gateway's shared secrets (DESIGN.md "Files and environment"). */
export const GATEWAY_TOKEN_ENV = 'SPECIAL_AGENT_GATEWAY_TOKEN';
export const GATEWAY_PASSWORD_ENV = 'SPECIAL_AGENT_GATEWAY_PASSWORD';
/** Bytes of randomness in a generated gateway token. */
export const GATEWAY_TOKEN_BYTES = 32;
/** Shorter values show no tail at all: four characters of a short secret are too many. */
export const MASK_MIN_LENGTH = 12;
const MASK_TAIL = 4;

/** The environment variable consulted first for `ref`; a named auth profile has none. */
export function envVarForRef(ref: SecretRef): string | undefined {
  if (isNamedProfileRef(ref)) return undefined;
  if (ref.kind === 'provider') return providerEnvVar(ref.id);
  return ref.kind === 'gateway-token' ? GATEWAY_TOKEN_ENV : GATEWAY_PASSWORD_ENV;
}

function configValue(config: Config, ref: SecretRef): string | undefined {
  if (isNamedProfileRef(ref)) return undefined;
  if (ref.kind === 'provider') return ownValue(config.models.providers, ref.id)?.apiKey;
  return ref.kind === 'gateway-token' ? config.gateway.auth.token : config.gateway.auth.password;
}

/**
 * The one rule for every secret: environment variable, then config file, then keychain (a
 * named auth profile lives in the keychain only). Empty values count as absent. Never throws for a missing value; a keychain that cannot
 * be read gives `source: 'none'` with `error`, and the caller decides whether that matters.
 */
export async function resolveSecret(
  ref: SecretRef,
  deps: { env: NodeJS.ProcessEnv; config: Config; store: SecretStore },
): Promise<ResolvedSecret> {
  const envVar = envVarForRef(ref);
  const fromEnv = envVar === undefined ? undefined : deps.env[envVar];
  if (envVar !== undefined && fromEnv) return { value: fromEnv, source: 'env', envVar };
  const fromConfig = configValue(deps.config, ref);
  if (fromConfig) return { value: fromConfig, source: 'config' };
  try {
    const fromKeychain = await deps.store.get(keychainAccountForRef(ref));
    return fromKeychain ? { value: fromKeychain, source: 'keychain' } : { source: 'none' };
  } catch (error) {
    return { source: 'none', error: asGatewayError(error) };
  }
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return GatewayError.of('KEYCHAIN_UNAVAILABLE');
}

/**
 * What a UI or CLI may show of a secret: `…` plus its last four characters, or only `…`
 * when the value is shorter than {@link MASK_MIN_LENGTH}. Never more.
 */
export function maskSecret(value: string): string {
  return value.length < MASK_MIN_LENGTH ? '…' : `…${value.slice(-MASK_TAIL)}`;
}

/** A fresh gateway token: 32 random bytes, base64url without padding. */
export function generateGatewayToken(random: (size: number) => Buffer = randomBytes): string {
  return random(GATEWAY_TOKEN_BYTES).toString('base64url');
}

/**
 * The keychain's `gateway:token`, generated and stored on first use (onboarding). When two
 * callers race on first use, both return what the keychain holds after their write, so
 * they agree unless the writes interleave exactly between write and read-back.
 */
export async function ensureGatewayToken(
  store: SecretStore,
  random: (size: number) => Buffer = randomBytes,
): Promise<string> {
  const existing = await store.get('gateway:token');
  if (existing) return existing;
  const token = generateGatewayToken(random);
  await store.set('gateway:token', token);
  return (await store.get('gateway:token')) ?? token;
}
