/**
 * Runs keychain calls on a worker thread (keychain-worker.ts), one at a time, each with its
 * caller's deadline. A call whose deadline passes is answered at once; its worker, stuck
 * in a native call that no signal can reach, is terminated and the next call gets a new one.
 *
 * Limitation, by nature of threads: `terminate()` takes effect only once the native call
 * returns (libdbus gives up after 25 s), and the process cannot exit before that thread
 * has. So a hung keychain can delay the exit of a process that used it, never its work.
 */
import { Worker } from 'node:worker_threads';
import type { KeychainReply, KeychainRequest } from './keychain-worker.js';

/** Workers still stuck after their deadline beyond which calls fail at once instead of starting another. */
export const MAX_ABANDONED_KEYCHAIN_WORKERS = 2;

/** The result of a request: the password for `get`, whether one was deleted for `delete`, the accounts for `list`. */
export type KeychainResult = string | boolean | null | string[];

/** Calls fail with this while too many workers are still stuck on the keychain. */
export class KeychainBusyError extends Error {
  constructor(stuck: number) {
    super(`the keychain has not answered ${stuck} earlier calls`);
    this.name = 'KeychainBusyError';
  }
}

/** Starts the worker; the default runs keychain-worker beside this module. */
export type WorkerFactory = () => Worker;

/** Options of {@link KeychainHost}; the defaults are the product's. */
export interface KeychainHostOptions {
  startWorker?: WorkerFactory;
  maxAbandoned?: number;
}

interface Pending {
  request: KeychainRequest;
  signal: AbortSignal;
  resolve: (result: KeychainResult) => void;
  reject: (error: Error) => void;
  onAbort: () => void;
}

/** The keychain worker and its queue of calls. */
export class KeychainHost {
  readonly #startWorker: WorkerFactory;
  readonly #maxAbandoned: number;
  readonly #queue: Pending[] = [];
  #worker: Worker | undefined;
  #running: Pending | undefined;
  #abandoned = 0;
  #nextId = 1;

  constructor(options: KeychainHostOptions = {}) {
    this.#startWorker = options.startWorker ?? startKeychainWorker;
    this.#maxAbandoned = options.maxAbandoned ?? MAX_ABANDONED_KEYCHAIN_WORKERS;
  }

  /** Runs one request; rejects with `signal.reason` when the signal aborts first. */
  call(request: Omit<KeychainRequest, 'id'>, signal: AbortSignal): Promise<KeychainResult> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#abandoned >= this.#maxAbandoned) {
      return Promise.reject(new KeychainBusyError(this.#abandoned));
    }
    return new Promise<KeychainResult>((resolve, reject) => {
      const pending: Pending = {
        request: { ...request, id: this.#nextId++ },
        signal,
        resolve,
        reject,
        onAbort: () => this.#abort(pending),
      };
      signal.addEventListener('abort', pending.onAbort, { once: true });
      this.#queue.push(pending);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (!next) {
      // Idle: a waiting worker must not keep a CLI process alive.
      this.#worker?.unref();
      return;
    }
    this.#running = next;
    try {
      const worker = (this.#worker ??= this.#spawn());
      worker.ref();
      worker.postMessage(next.request);
    } catch (error) {
      this.#finish(next, () => next.reject(asError(error)));
    }
  }

  #spawn(): Worker {
    const worker = this.#startWorker();
    worker.on('message', (reply: KeychainReply) => {
      const running = this.#running;
      if (worker !== this.#worker || !running || reply.id !== running.request.id) return;
      this.#finish(running, () =>
        reply.ok ? running.resolve(reply.result) : running.reject(new Error(reply.message)),
      );
    });
    const lost = (error: Error) => {
      if (worker !== this.#worker) return;
      this.#worker = undefined;
      const running = this.#running;
      if (running) this.#finish(running, () => running.reject(error));
      else this.#pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the keychain worker stopped (exit code ${code})`)));
    return worker;
  }

  #abort(pending: Pending): void {
    const reason = pending.signal.reason as Error;
    if (pending !== this.#running) {
      const at = this.#queue.indexOf(pending);
      if (at !== -1) this.#queue.splice(at, 1);
      pending.reject(reason);
      return;
    }
    this.#abandonWorker();
    this.#finish(pending, () => pending.reject(reason));
  }

  #abandonWorker(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    this.#abandoned += 1;
    worker.once('exit', () => (this.#abandoned -= 1));
    worker.unref();
    void worker.terminate();
  }

  #finish(pending: Pending, settle: () => void): void {
    pending.signal.removeEventListener('abort', pending.onAbort);
    if (this.#running === pending) this.#running = undefined;
    settle();
    this.#pump();
  }
}

/**
 * keychain-worker beside this module: `.js` in dist, and beside the bundled gateway
 * (scripts/bundle-gateway.js writes dist/main/keychain-worker.js next to gateway.js).
 * Run from the TypeScript sources (tsx, vitest), a worker cannot load `.ts` by itself, so a
 * two-line bootstrap registers tsx in it first.
 */
export function startKeychainWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(new URL('./keychain-worker.js', import.meta.url));
  const entry = JSON.stringify(new URL('./keychain-worker.ts', import.meta.url).href);
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`,
    { eval: true },
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
