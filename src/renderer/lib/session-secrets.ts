/**
 * Where the Control UI keeps its gateway credentials. The shared token arrives once in the
 * URL fragment (`#token=…` or `#/devices?request=…&token=…`), moves to sessionStorage and
 * is stripped from the address bar; the device token the gateway issues lives in
 * localStorage per gateway origin; a password is never stored anywhere.
 */

/** The part of the Web Storage API used here, so tests can pass a Map-backed store. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const TOKEN_SESSION_KEY = 'special-agent.token';
const DEVICE_TOKEN_PREFIX = 'special-agent.deviceToken:';

/** The fragment with any `token` parameter removed, and the token it carried. */
export interface FragmentHandover {
  token: string | undefined;
  hash: string;
}

/**
 * Splits a `token` parameter out of a location hash. Accepts `#token=T`, `#token=T&x=1`
 * and the routed form `#/page?request=R&token=T`; every other parameter is kept.
 */
export function takeTokenFromHash(hash: string): FragmentHandover {
  const body = hash.replace(/^#/, '');
  const routed = body.startsWith('/');
  const queryAt = body.indexOf('?');
  const path = routed ? (queryAt === -1 ? body : body.slice(0, queryAt)) : '';
  const query = routed ? (queryAt === -1 ? '' : body.slice(queryAt + 1)) : body;
  const params = new URLSearchParams(query);
  const token = params.get('token') ?? undefined;
  if (token === undefined) return { token: undefined, hash };
  params.delete('token');
  const rest = params.toString();
  if (routed) return { token: token || undefined, hash: `#${path}${rest ? `?${rest}` : ''}` };
  return { token: token || undefined, hash: rest ? `#${rest}` : '' };
}

/** Credentials of this browser for one gateway origin. */
export class SessionSecrets {
  readonly #session: KeyValueStore;
  readonly #local: KeyValueStore;
  readonly #deviceTokenKey: string;
  #password: string | undefined;

  constructor(deps: { session: KeyValueStore; local: KeyValueStore; origin: string }) {
    this.#session = deps.session;
    this.#local = deps.local;
    this.#deviceTokenKey = `${DEVICE_TOKEN_PREFIX}${deps.origin}`;
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

  get deviceToken(): string | undefined {
    return this.#local.getItem(this.#deviceTokenKey) ?? undefined;
  }

  set deviceToken(value: string | undefined) {
    if (value) this.#local.setItem(this.#deviceTokenKey, value);
    else this.#local.removeItem(this.#deviceTokenKey);
  }

  /** The auth to present: a shared secret the person gave us first, else the device token. */
  connectAuth(): { token?: string; password?: string; deviceToken?: string } {
    if (this.#password) return { password: this.#password };
    const token = this.token;
    if (token) return { token };
    const deviceToken = this.deviceToken;
    return deviceToken ? { deviceToken } : {};
  }

  /** Forgets everything, e.g. when the gateway withdrew this browser's credentials (4001). */
  clear(): void {
    this.token = undefined;
    this.password = undefined;
    this.deviceToken = undefined;
  }
}

/**
 * Moves a fragment token into `secrets` and rewrites the address bar without it, so the
 * token never stays in `location.href`, history or a bookmark. Returns the token taken.
 */
export function adoptFragmentToken(
  location: { hash: string; pathname: string; search: string },
  history: { replaceState(data: unknown, unused: string, url: string): void },
  secrets: SessionSecrets,
): string | undefined {
  const handover = takeTokenFromHash(location.hash);
  if (handover.hash === location.hash) return undefined;
  if (handover.token) {
    secrets.token = handover.token;
    // A new shared token supersedes a password typed earlier in this tab.
    secrets.password = undefined;
  }
  history.replaceState(null, '', `${location.pathname}${location.search}${handover.hash}`);
  return handover.token;
}
