/**
 * The sessions whose recent tail is kept in memory: at most `maxCachedSessions` of them and
 * `maxCachedChars` of message text together, least recently used first back to disk.
 */
import type { SessionMessage } from './session-file.js';
import type { SessionLimits } from './session-limits.js';
import type { SessionMeta } from './session-meta.js';

/** A session as the store holds it in memory. */
export interface SessionState {
  id: string;
  persisted: boolean;
  /** For a persisted session, the very object in the index. */
  meta: SessionMeta;
  messages: SessionMessage[];
  /** The file ends in a torn line from this byte on: the next write cuts it off. */
  tornAt: number | undefined;
}

/** The bounded in-memory cache of {@link SessionStore}, in least-recently-used order. */
export class SessionCache {
  readonly #states = new Map<string, SessionState>();
  readonly #limits: Pick<SessionLimits, 'maxCachedSessions' | 'maxCachedChars'>;

  constructor(limits: Pick<SessionLimits, 'maxCachedSessions' | 'maxCachedChars'>) {
    this.#limits = limits;
  }

  /** The cached session, now the most recently used; undefined when it is not cached. */
  use(sessionId: string): SessionState | undefined {
    const cached = this.#states.get(sessionId);
    if (!cached) return undefined;
    // Re-insert: Map order is our least-recently-used order.
    this.#states.delete(sessionId);
    this.#states.set(sessionId, cached);
    return cached;
  }

  /** Caches `state` as the most recently used, then evicts past the limits. */
  add(state: SessionState): void {
    this.#states.set(state.id, state);
    this.evict();
  }

  /** Drops the session from memory; its next use reads the file afresh. */
  delete(sessionId: string): void {
    this.#states.delete(sessionId);
  }

  /** Least recently used first, past either limit; never the session in use (the newest). */
  evict(): void {
    let chars = 0;
    for (const state of this.#states.values()) chars += textLength(state);
    const newest = [...this.#states.keys()].at(-1);
    for (const [id, state] of this.#states) {
      const over =
        this.#states.size > this.#limits.maxCachedSessions || chars > this.#limits.maxCachedChars;
      if (!over || id === newest) return;
      // A session opened but not yet written exists only here; dropping it would lose it.
      if (!state.persisted) continue;
      this.#states.delete(id);
      chars -= textLength(state);
    }
  }
}

/** Characters of message text a cached session holds. */
function textLength(state: SessionState): number {
  let chars = 0;
  for (const message of state.messages) chars += message.content.length;
  return chars;
}
