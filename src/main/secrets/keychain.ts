import { createHash } from 'node:crypto';
import { invalidRequest } from '../../shared/errors.js';
import { PROVIDER_ID_PATTERN } from '../../shared/provider-id.js';
import { defaultHomeDir, realPathOrPlanned } from '../config/paths.js';
import { checkSessionBus } from './dbus-preflight.js';
import { keychainBackend, keychainUnavailable } from './keychain-errors.js';
import { KeychainBusyError, KeychainHost, type KeychainResult } from './keychain-host.js';
import type { KeychainRequest } from './keychain-worker.js';

/** Keychain service of the default home; other homes append `@<hash>` (DESIGN.md "Secrets"). */
export const KEYCHAIN_SERVICE = 'special-agent';
/** Hex digits of sha256(realpath(home)) in the service name of a non-default home. */
export const SERVICE_HASH_LENGTH = 12;
/**
 * How long one keychain call may take before it fails as unavailable. The call runs on a
 * worker thread (keychain-host.ts), so waiting costs the caller only: others are served.
 */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000;

/** What `probe()` reports; `status.keychain` is built from it. */
export interface KeychainProbe {
  available: boolean;
  backend: string;
  /** One-line cause and fix when unavailable; never contains a secret. */
  error?: string;
}

/**
 * Where secrets are kept. Every method rejects with `KEYCHAIN_UNAVAILABLE` when the store
 * cannot be reached, and with `INVALID_REQUEST` for an account outside the known set.
 */
export interface SecretStore {
  /** The stored value, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** True when an entry was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
  /** Reports whether the store answers, without writing anything. */
  probe(): Promise<KeychainProbe>;
}

/** Options of {@link OsKeychain}; the defaults are the product's. */
export interface OsKeychainOptions {
  service?: string;
  /** Chooses the backend name and the fix named in error messages. */
  platform?: NodeJS.Platform;
  timeoutMs?: number;
  /** Where calls run; by default one worker shared by every OsKeychain of the process. */
  host?: KeychainHost;
}

const GATEWAY_ACCOUNTS = new Set(['gateway:token', 'gateway:password']);
// Read by probe(): an account that exists in every install, so a read says it all.
const PROBE_ACCOUNT = 'gateway:token';

/** True for `provider:<id>`, `gateway:token` and `gateway:password`. */
export function isKeychainAccount(account: string): boolean {
  if (GATEWAY_ACCOUNTS.has(account)) return true;
  return account.startsWith('provider:') && PROVIDER_ID_PATTERN.test(account.slice(9));
}

/**
 * The OS keychain through `@napi-rs/keyring`: macOS Keychain, Windows Credential Manager,
 * or the Linux Secret Service (pinned). There is no plaintext fallback: a failure is
 * `KEYCHAIN_UNAVAILABLE` with the platform's fix, and every call runs off the main thread,
 * bounded by `timeoutMs`.
 */
export class OsKeychain implements SecretStore {
  readonly #service: string;
  readonly #platform: NodeJS.Platform;
  readonly #timeoutMs: number;
  readonly #host: KeychainHost;

  constructor({
    service = KEYCHAIN_SERVICE,
    platform = process.platform,
    timeoutMs = DEFAULT_KEYCHAIN_TIMEOUT_MS,
    host = sharedHost(),
  }: OsKeychainOptions = {}) {
    this.#service = service;
    this.#platform = platform;
    this.#timeoutMs = timeoutMs;
    this.#host = host;
  }

  /** `secret-service`, `macos-keychain`, `windows-credential-manager` or `unsupported`. */
  get backend(): string {
    return keychainBackend(this.#platform);
  }

  async get(account: string): Promise<string | null> {
    const result = await this.#run('get', account);
    return typeof result === 'string' ? result : null;
  }

  async set(account: string, value: string): Promise<void> {
    if (typeof value !== 'string' || value.length === 0) {
      throw invalidRequest('a secret must be a non-empty string');
    }
    await this.#run('set', account, value);
  }

  async delete(account: string): Promise<boolean> {
    return (await this.#run('delete', account)) === true;
  }

  async probe(): Promise<KeychainProbe> {
    try {
      await this.get(PROBE_ACCOUNT);
      return { available: true, backend: this.backend };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { available: false, backend: this.backend, error: message };
    }
  }

  async #run(
    operation: KeychainRequest['operation'],
    account: string,
    secret?: string,
  ): Promise<KeychainResult> {
    if (!isKeychainAccount(account)) {
      throw invalidRequest(`unknown keychain account "${account}"`);
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      if (this.#platform === 'linux') {
        await checkSessionBus(process.env.DBUS_SESSION_BUS_ADDRESS, signal);
      }
      const request = { operation, service: this.#service, account };
      return await this.#host.call(
        secret === undefined ? request : { ...request, value: secret },
        signal,
      );
    } catch (error) {
      throw keychainUnavailable(this.#platform, error, {
        timedOut: signal.aborted || error instanceof KeychainBusyError,
        timeoutMs: this.#timeoutMs,
        operation,
        secret,
      });
    }
  }
}

/**
 * The service a home's entries live under (DESIGN.md "Secrets"): `special-agent` for the
 * default home, so nothing moves for existing users, and `special-agent@<first 12 hex of
 * sha256(realpath(home))>` for any other, so two homes never read or overwrite each other's
 * secrets. There is no fallback between them. Both folders are compared in canonical form
 * (symlinks resolved; a folder not created yet through its nearest existing parent), so a
 * home has one service before and after it is created and whichever alias names it.
 */
export function keychainServiceForHome(home: string, defaultHome: string): string {
  const real = realPathOrPlanned(home);
  if (real === realPathOrPlanned(defaultHome)) return KEYCHAIN_SERVICE;
  const hash = createHash('sha256').update(real).digest('hex');
  return `${KEYCHAIN_SERVICE}@${hash.slice(0, SERVICE_HASH_LENGTH)}`;
}

let defaultHost: KeychainHost | undefined;

/** One worker for the process: every keychain is the same OS store, and so is a hang. */
function sharedHost(): KeychainHost {
  return (defaultHost ??= new KeychainHost());
}

/**
 * The OS keychain of one home, as the gateway, the CLI and onboarding use it. `defaultHome`
 * is injectable for tests; it defaults to `<os home>/.special-agent`.
 */
export function keychainForHome(
  home: string,
  options: Omit<OsKeychainOptions, 'service'> & { defaultHome?: string } = {},
): OsKeychain {
  const { defaultHome = defaultHomeDir(), ...rest } = options;
  return new OsKeychain({ ...rest, service: keychainServiceForHome(home, defaultHome) });
}
