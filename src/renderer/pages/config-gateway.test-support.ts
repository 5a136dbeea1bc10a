/**
 * A fake gateway for page tests of issue 15 ("no edit is lost"): it keeps a config file
 * hash as the real one does. Every write moves it; a write on a stale `baseHash` is refused
 * with the real CONFLICT; a write with a `baseHash` answers the new `hash`.
 */
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';
import { GatewayClientError } from '../../shared/gateway-client.js';
import type { UiGatewayConnection } from '../lib/connection.js';

export interface FakeConfigGatewayOptions {
  /** What `config.get` answers as `config`. */
  config: unknown;
  /** Answers of the read methods the page calls, by method. */
  reads: Record<string, unknown>;
  /** The methods that write the config file. */
  writers: readonly string[];
  /** The scopes this browser holds, when known (the connection snapshot's `scopes`). */
  scopes?: readonly string[];
}

/** One request the page sent. */
export interface SentCall {
  method: string;
  params: Record<string, unknown>;
}

/** A connected connection answering from `options`, and what the test looks at. */
export function fakeConfigGateway(options: FakeConfigGatewayOptions) {
  let writes = 0;
  const nextHash = () => String(++writes).padStart(64, '0');
  const state = { hash: nextHash() };
  const calls: SentCall[] = [];
  const answer = (method: string, params: Record<string, unknown>): unknown => {
    if (method === 'config.get') return { config: options.config, hash: state.hash };
    if (method in options.reads) return options.reads[method];
    if (!options.writers.includes(method)) throw new Error(`unexpected ${method}`);
    if (params.baseHash !== undefined && params.baseHash !== state.hash)
      throw new GatewayClientError('CONFLICT', CONFIG_CONFLICT_MESSAGE);
    state.hash = nextHash();
    return params.baseHash === undefined ? {} : { hash: state.hash };
  };
  const snapshot = { phase: 'connected', generation: 1, scopes: options.scopes };
  const connection = {
    request: (method: string, params: Record<string, unknown> = {}) => {
      calls.push({ method, params });
      try {
        return Promise.resolve(answer(method, params));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    on: () => () => undefined,
    subscribe: () => () => undefined,
    getSnapshot: () => snapshot,
    forgetSharedToken: () => undefined,
  } as unknown as UiGatewayConnection;
  return {
    connection,
    calls,
    /** The file's hash now. */
    hash: () => state.hash,
    /** The params of the last call of `method`. */
    last: (method: string) => calls.filter((call) => call.method === method).at(-1)?.params,
    /** How many times the page called `method`. */
    count: (method: string) => calls.filter((call) => call.method === method).length,
    /** Another window's save: the file moves on without this page knowing. */
    elsewhere: () => {
      state.hash = nextHash();
    },
  };
}

/** What {@link fakeConfigGateway} gives a test. */
export type FakeConfigGateway = ReturnType<typeof fakeConfigGateway>;

/** jsdom has no modal dialogs; the confirm dialog only needs `open` to follow. */
export function polyfillDialog(): void {
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.open = true;
    },
    close(this: HTMLDialogElement) {
      this.open = false;
    },
  });
}
