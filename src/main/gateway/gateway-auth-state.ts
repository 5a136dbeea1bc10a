import { EXIT } from '../../shared/exit-codes.js';
import { SerialQueue } from '../fs/atomic-file.js';
import { generateGatewayToken, ensureGatewayToken, resolveSecret } from '../secrets/resolve.js';
import type { SecretStore } from '../secrets/keychain.js';
import type { SecretsService } from '../secrets/secrets-service.js';
import { bindIsLoopback, type Config, type AuthMode } from '../../shared/config-schema.js';
import { GatewayError, conflict } from '../../shared/errors.js';
import type { GatewayAuth } from './handshake.js';

/** The gateway cannot authenticate anyone with this setup; exit 78 (configuration). */
export class AuthSetupError extends Error {
  readonly exitCode = EXIT.config;
}

type SecretSource = 'env' | 'config' | 'keychain' | 'none';

interface Resolved {
  auth: GatewayAuth;
  source: SecretSource;
}

export interface GatewayAuthStateDeps {
  env: NodeJS.ProcessEnv;
  keychain: SecretStore;
  secrets: SecretsService;
  /**
   * Called when the shared secret changed; connections it authenticated must close 4001,
   * and with `leftNoneMode` those admitted with no secret too.
   */
  onSharedSecretChanged: (keepConnectionId?: string, leftNoneMode?: boolean) => void;
  /**
   * The bind the gateway listens on (with `--bind` applied). `none` is refused unless it is
   * loopback, also when the file changes later: the file's own bind may be loopback while
   * this listener serves the LAN.
   */
  listenBind: string;
  /** Where a change it will not apply (`none` beyond loopback) is reported. */
  warn: (message: string) => void;
}

/**
 * The shared secret the handshake checks: resolved env → config → keychain at start (a
 * token-mode gateway with none generates one into the keychain), re-resolved on config
 * changes and on keychain changes the CLI announces, and replaced by `gateway.auth.rotate`.
 */
export class GatewayAuthState {
  readonly #deps: GatewayAuthStateDeps;
  // One change at a time: a re-resolve that read the keychain before a rotate must not
  // finish after it and put the old secret back.
  readonly #queue = new SerialQueue();
  #resolved: Resolved;

  private constructor(deps: GatewayAuthStateDeps, resolved: Resolved) {
    this.#deps = deps;
    this.#resolved = resolved;
  }

  static async create(deps: GatewayAuthStateDeps, config: Config): Promise<GatewayAuthState> {
    return new GatewayAuthState(deps, await resolveAuth(deps, config, true));
  }

  current(): GatewayAuth {
    return this.#resolved.auth;
  }

  get mode(): AuthMode {
    return this.#resolved.auth.mode;
  }

  /** Where the shared secret came from (`status` and `gateway status` say it). */
  get source(): SecretSource {
    return this.#resolved.source;
  }

  /** The secrets the logger must scrub. */
  secrets(): string[] {
    const { token, password } = this.#resolved.auth;
    return [token, password].filter((value): value is string => typeof value === 'string');
  }

  /**
   * Re-resolves after a config or keychain change; a changed secret or mode closes shared
   * sessions. Resolves to whether it changed.
   */
  refresh(config: Config, options: { keepConnectionId?: string } = {}): Promise<boolean> {
    return this.#queue.run(async () => {
      // `none` on a listener beyond loopback: the rest (a new token) still applies, with
      // the mode kept as it is, and the log says why (the change asked for went in).
      const refused = config.gateway.auth.mode === 'none' && !this.allows('none');
      const effective = refused ? withMode(config, this.#resolved.auth.mode) : config;
      const next = await resolveAuth(this.#deps, effective, false);
      const before = this.#resolved.auth;
      this.#resolved = next;
      const changed =
        before.mode !== next.auth.mode ||
        before.token !== next.auth.token ||
        before.password !== next.auth.password;
      const leftNoneMode = before.mode === 'none' && next.auth.mode !== 'none';
      if (changed) this.#deps.onSharedSecretChanged(options.keepConnectionId, leftNoneMode);
      if (refused) this.#deps.warn(noneBeyondLoopback(this.#deps.listenBind).message);
      return changed;
    });
  }

  /** Whether this listener may run in `mode` (`none` only on loopback). */
  allows(mode: AuthMode): boolean {
    return mode !== 'none' || bindIsLoopback(this.#deps.listenBind);
  }

  /** Throws `CONFIG_INVALID` for a mode this listener may not run in (before any write). */
  assertAllowed(mode: AuthMode): void {
    if (!this.allows(mode)) throw noneBeyondLoopback(this.#deps.listenBind);
  }

  /** A new token into the keychain; every other shared-secret session closes 4001. */
  rotate(options: { keepConnectionId?: string } = {}): Promise<AuthMode> {
    return this.#queue.run(() => this.#rotate(options));
  }

  async #rotate(options: { keepConnectionId?: string }): Promise<AuthMode> {
    const { auth, source } = this.#resolved;
    if (auth.mode !== 'token') {
      throw conflict(
        `gateway.auth.rotate works in token mode; this gateway uses ${auth.mode} mode` +
          (auth.mode === 'password'
            ? ' (set a new password with: special-agent configure set gateway.auth.password <new>)'
            : ''),
      );
    }
    if (source === 'env') {
      throw conflict(
        'the gateway token comes from SPECIAL_AGENT_GATEWAY_TOKEN; change that variable and restart the gateway',
      );
    }
    const token = generateGatewayToken();
    await this.#deps.secrets.storeSecret(['gateway', 'auth', 'token'], token);
    this.#resolved = { auth: { mode: 'token', token }, source: 'keychain' };
    this.#deps.onSharedSecretChanged(options.keepConnectionId);
    return 'token';
  }
}

async function resolveAuth(
  deps: GatewayAuthStateDeps,
  config: Config,
  generate: boolean,
): Promise<Resolved> {
  const mode = config.gateway.auth.mode;
  if (mode === 'none') {
    if (!bindIsLoopback(deps.listenBind)) throw noneBeyondLoopback(deps.listenBind);
    return { auth: { mode }, source: 'none' };
  }
  const ref =
    mode === 'token'
      ? ({ kind: 'gateway-token' } as const)
      : ({ kind: 'gateway-password' } as const);
  const resolved = await resolveSecret(ref, { env: deps.env, config, store: deps.keychain });
  if (resolved.value) {
    return { auth: { mode, [mode]: resolved.value }, source: resolved.source };
  }
  if (mode === 'password') {
    throw new AuthSetupError(
      'gateway.auth.mode is "password" but no password is set (set SPECIAL_AGENT_GATEWAY_PASSWORD, ' +
        'or run: special-agent configure set gateway.auth.password -)',
    );
  }
  if (!generate)
    throw new AuthSetupError(
      'the gateway token disappeared from the keychain; run: special-agent onboard',
    );
  try {
    return { auth: { mode, token: await ensureGatewayToken(deps.keychain) }, source: 'keychain' };
  } catch (error) {
    const why = error instanceof GatewayError ? error.message : String(error);
    throw new AuthSetupError(
      `token mode needs a gateway token and none is set, and it cannot be generated into the keychain: ${why} ` +
        '(or set SPECIAL_AGENT_GATEWAY_TOKEN)',
    );
  }
}

function withMode(config: Config, mode: AuthMode): Config {
  return { ...config, gateway: { ...config.gateway, auth: { ...config.gateway.auth, mode } } };
}

/** `none` asked of a gateway that listens beyond loopback (DESIGN.md "Auth and locality"). */
function noneBeyondLoopback(bind: string): GatewayError {
  return GatewayError.of('CONFIG_INVALID', {
    message:
      `gateway.auth.mode "none" is only allowed while the gateway listens on loopback, and ` +
      `this one listens on bind "${bind}"; it keeps its current auth (set the mode back: ` +
      'special-agent configure set gateway.auth.mode token)',
  });
}
