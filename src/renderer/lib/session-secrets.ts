/**
 * Where the Control UI keeps its gateway credentials. A credential arrives once in the URL
 * fragment and is stripped from the address bar at once: an invite (`#invite=…`, from
 * `special-agent dashboard` or a setup link, also `#/devices?request=…&invite=…`) is held in
 * memory until the one connect that spends it; a pasted shared token (`#token=…`) moves to
 * sessionStorage. The device token the gateway issues lives in localStorage per gateway
 * origin; a password is never stored anywhere.
 */

/** The part of the Web Storage API used here, so tests can pass a Map-backed store. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const TOKEN_SESSION_KEY = 'special-agent.token';
const DEVICE_TOKEN_PREFIX = 'special-agent.deviceToken:';
const DEVICE_SCOPES_PREFIX = 'special-agent.deviceScopes:';

/**
 * Fragment parameters taken out of the address bar: `token` and `invite` are credentials;
 * `fp` (a setup link's TLS fingerprint) is only for the person, who saw it where the link
 * was made, and a page cannot check it against the connection anyway.
 */
const HANDOVER_PARAMS = ['token', 'invite', 'fp'] as const;

/** The fragment with the handover parameters removed, and the credentials they carried. */
export interface FragmentHandover {
  token: string | undefined;
  invite: string | undefined;
  hash: string;
}

/**
 * Splits `token`, `invite` and `fp` out of a location hash. Accepts `#token=T`,
 * `#invite=C&fp=AB:CD`, `#token=T&x=1` and the routed form `#/page?request=R&invite=C`;
 * every other parameter is kept. An empty value counts as absent.
 */
export function takeHandoverFromHash(hash: string): FragmentHandover {
  const body = hash.replace(/^#/, '');
  const routed = body.startsWith('/');
  const queryAt = body.indexOf('?');
  const path = routed ? (queryAt === -1 ? body : body.slice(0, queryAt)) : '';
  const query = routed ? (queryAt === -1 ? '' : body.slice(queryAt + 1)) : body;
  const params = new URLSearchParams(query);
  if (!HANDOVER_PARAMS.some((name) => params.has(name)))
    return { token: undefined, invite: undefined, hash };
  const token = params.get('token') || undefined;
  const invite = params.get('invite') || undefined;
  for (const name of HANDOVER_PARAMS) params.delete(name);
  const rest = params.toString();
  if (routed) return { token, invite, hash: `#${path}${rest ? `?${rest}` : ''}` };
  return { token, invite, hash: rest ? `#${rest}` : '' };
}

/** Credentials of this browser for one gateway origin. */
export class SessionSecrets {
  readonly #session: KeyValueStore;
  readonly #local: KeyValueStore;
  readonly #deviceTokenKey: string;
  readonly #deviceScopesKey: string;
  #password: string | undefined;
  #invite: string | undefined;

  constructor(deps: { session: KeyValueStore; local: KeyValueStore; origin: string }) {
    this.#session = deps.session;
    this.#local = deps.local;
    this.#deviceTokenKey = `${DEVICE_TOKEN_PREFIX}${deps.origin}`;
    this.#deviceScopesKey = `${DEVICE_SCOPES_PREFIX}${deps.origin}`;
  }

  get token(): string | undefined {
    return this.#session.getItem(TOKEN_SESSION_KEY) ?? undefined;
  }

  set token(value: string | undefined) {
    if (value) this.#session.setItem(TOKEN_SESSION_KEY, value);
    else this.#session.removeItem(TOKEN_SESSION_KEY);
  }

  /** Held in memory only: a reload asks again (or uses the device token). */
  get password(): string | undefined {
    return this.#password;
  }

  set password(value: string | undefined) {
    this.#password = value || undefined;
  }

  /**
   * An invite code waiting for its one connect. Memory only: it is spent by that connect,
   * so a reload has nothing to repeat (the device token it earned is kept instead).
   */
  get invite(): string | undefined {
    return this.#invite;
  }

  set invite(value: string | undefined) {
    this.#invite = value || undefined;
  }

  get deviceToken(): string | undefined {
    return this.#local.getItem(this.#deviceTokenKey) ?? undefined;
  }

  set deviceToken(value: string | undefined) {
    if (value) this.#local.setItem(this.#deviceTokenKey, value);
    else {
      this.#local.removeItem(this.#deviceTokenKey);
      this.deviceScopes = undefined;
    }
  }

  /**
   * The scopes the device token was issued with (`hello-ok` says them only when it issues
   * one), so a reload knows what this browser may call; undefined when not known.
   */
  get deviceScopes(): readonly string[] | undefined {
    try {
      const parsed: unknown = JSON.parse(this.#local.getItem(this.#deviceScopesKey) ?? 'null');
      return Array.isArray(parsed) && parsed.every((scope) => typeof scope === 'string')
        ? parsed
        : undefined;
    } catch {
      return undefined;
    }
  }

  set deviceScopes(value: readonly string[] | undefined) {
    if (value) this.#local.setItem(this.#deviceScopesKey, JSON.stringify(value));
    else this.#local.removeItem(this.#deviceScopesKey);
  }

  /**
   * The auth to present: an invite waiting to be used (alone: the gateway refuses a bad one
   * whatever else comes with it), then a shared secret the person gave us, else the device
   * token.
   */
  connectAuth(): {
    token?: string;
    password?: string;
    deviceToken?: string;
    bootstrapToken?: string;
  } {
    if (this.#invite) return { bootstrapToken: this.#invite };
    if (this.#password) return { password: this.#password };
    const token = this.token;
    if (token) return { token };
    const deviceToken = this.deviceToken;
    return deviceToken ? { deviceToken } : {};
  }

  /** Forgets everything, e.g. when the gateway withdrew this browser's credentials (4001). */
  clear(): void {
    this.invite = undefined;
    this.token = undefined;
    this.password = undefined;
    this.deviceToken = undefined;
  }
}

/**
 * Moves the fragment's credentials into `secrets` and rewrites the address bar without
 * them, so no code or token stays in `location.href`, history or a bookmark. Returns what
 * was taken.
 */
export function adoptFragmentHandover(
  location: { hash: string; pathname: string; search: string },
  history: { replaceState(data: unknown, unused: string, url: string): void },
  secrets: SessionSecrets,
): { token: string | undefined; invite: string | undefined } {
  const handover = takeHandoverFromHash(location.hash);
  const taken = { token: handover.token, invite: handover.invite };
  if (handover.hash === location.hash) return taken;
  if (handover.token) {
    secrets.token = handover.token;
    // A new shared token supersedes a password typed earlier in this tab.
    secrets.password = undefined;
  }
  if (handover.invite) {
    secrets.invite = handover.invite;
    secrets.password = undefined;
  }
  history.replaceState(null, '', `${location.pathname}${location.search}${handover.hash}`);
  return taken;
}
