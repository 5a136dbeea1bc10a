/**
 * Live chat runs, kept for the life of the connection rather than of the Chat page: `chat`
 * events go only to the connection that sent the message, so a Chat page left while an
 * answer streamed, and opened again, must still find that answer and its text so far.
 */
import type { ChatEvent } from '../../shared/protocol.js';
import { applyChatEvent, type RunState } from './chat-thread.js';
import type { UiGatewayConnection } from './connection.js';

/** Runs remembered at most; the oldest are forgotten first (their answers are saved). */
const MAX_RUNS = 200;

type Connection = Pick<UiGatewayConnection, 'on'> &
  Partial<Pick<UiGatewayConnection, 'getSnapshot'>>;

export class ChatRunStore {
  #runs: Record<string, RunState> = {};
  /** Each run's session, and the connection generation its events came on. */
  readonly #origin = new Map<string, { sessionId: string; generation: number }>();
  readonly #listeners = new Set<() => void>();

  constructor(connection: Connection) {
    connection.on('chat', (payload) => {
      const event = payload as ChatEvent;
      if (!this.#origin.has(event.runId)) {
        const generation = connection.getSnapshot?.().generation ?? 0;
        this.#origin.set(event.runId, { sessionId: event.sessionId, generation });
        this.#forgetOldest();
      }
      this.#runs = applyChatEvent(this.#runs, event);
      for (const listener of this.#listeners) listener();
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): Record<string, RunState> => this.#runs;

  /**
   * The runs of `sessionId` still streaming on connection `generation`, oldest first. One
   * begun on an earlier connection gets no more events here (its answer is saved instead).
   */
  streamingIn(sessionId: string, generation: number): string[] {
    return [...this.#origin]
      .filter(([runId, origin]) => {
        const run = this.#runs[runId];
        return (
          origin.sessionId === sessionId &&
          origin.generation === generation &&
          run?.state === 'delta'
        );
      })
      .map(([runId]) => runId);
  }

  #forgetOldest(): void {
    while (this.#origin.size > MAX_RUNS) {
      const [oldest] = this.#origin.keys();
      if (oldest === undefined) return;
      this.#origin.delete(oldest);
      const { [oldest]: _dropped, ...rest } = this.#runs;
      this.#runs = rest;
    }
  }
}

const stores = new WeakMap<object, ChatRunStore>();

/** The one run store of `connection`, made (and subscribed) on first use. */
export function chatRunsOf(connection: Connection): ChatRunStore {
  let store = stores.get(connection);
  if (!store) {
    store = new ChatRunStore(connection);
    stores.set(connection, store);
  }
  return store;
}
