/**
 * `chat.send`: resolves agent, session, provider, model and credentials for every request
 * (no caching, so a rotated key or an edited config applies to the next message), answers
 * `{runId, sessionId}` at once, then streams the reply as `chat` events. Which provider,
 * model and profile answer, and the failover between them, is `provider-attempts.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../shared/config-schema.js';
import {
  GatewayError,
  conflict,
  invalidRequest,
  rateLimited,
  unavailable,
} from '../../shared/errors.js';
import type { ProtocolError } from '../../shared/errors.js';
import type { ChatOverride } from '../../shared/protocol.js';
import type { AuthProfiles } from '../auth-profiles/auth-profiles.js';
import type { ModelCatalog } from '../providers/model-catalog.js';
import { ChatAbortedError } from '../providers/provider-errors.js';
import type { StreamOptions } from '../providers/provider-types.js';
import type { StreamFns } from '../providers/stream-chat.js';
import type { Clock } from '../util/clock.js';
import { holdSmallHeap } from '../util/small-heap.js';
import { DeltaRelay } from './delta-relay.js';
import { ProviderAttempts, type Answer, type AnswerDelta } from './provider-attempts.js';
import { findAgent, lastProfile } from './run-target.js';
import { isValidSessionId } from './session-store.js';
import type { SessionStore } from './session-store.js';

export interface ChatLimits {
  /** Longest user message accepted, in UTF-16 code units. */
  maxMessageChars: number;
  /** Runs streaming at once across the whole service. */
  maxConcurrentRuns: number;
  /** Deltas joined into one `chat` event go out at this many UTF-16 code units (delta-relay.ts). */
  maxDeltaChars: number;
}

export const CHAT_DEFAULTS: Readonly<ChatLimits> = Object.freeze({
  maxMessageChars: 32_000,
  maxConcurrentRuns: 16,
  maxDeltaChars: 16_384,
});

/**
 * What a run emits, one case per state: the payload of a `chat` event (PROTOCOL.md
 * "Events"), which clients read as protocol.ts `ChatEvent`.
 */
export type ChatRunEvent =
  | { runId: string; sessionId: string; state: 'delta'; text: string }
  | ({ runId: string; sessionId: string; state: 'final'; text: string } & Partial<Answer>)
  | { runId: string; sessionId: string; state: 'error'; error: ProtocolError };

export interface ChatSendParams {
  agentId?: string | undefined;
  sessionId?: string | undefined;
  message: string;
  /** The session's override merged with the run's own (`session-override.ts`). */
  override?: ChatOverride | undefined;
  /** Tried first when it still has a key: the profile that last answered in this session. */
  preferredProfile?: string | undefined;
}

export interface ChatServiceOptions {
  getConfig: () => Config;
  /** The keys of every provider and how each has fared (DESIGN.md "Auth profiles"). */
  profiles: AuthProfiles;
  /** Model listings, for an agent with no model set. */
  catalog: ModelCatalog;
  sessions: SessionStore;
  clock: Clock;
  /** Makes run ids and new session ids; must match the session id pattern. */
  random?: () => string;
  streamFns?: StreamFns;
  streamOptions?: Partial<StreamOptions>;
  limits?: Partial<ChatLimits> | undefined;
  /** Held while any run streams (default: V8's small heap, util/small-heap.ts). */
  holdSmallHeap?: () => () => void;
}

interface Run {
  sessionId: string;
  controller: AbortController;
  done: Promise<void>;
  /** Who is being asked now: what the `final` of a run aborted before any text names. */
  asking?: Answer;
}

type Deltas = AsyncGenerator<AnswerDelta, Answer, undefined>;

interface Prepared {
  runId: string;
  sessionId: string;
  deltas: Deltas;
  /** The generator's first `next()`, called early so the provider is asked at once. */
  first: Promise<IteratorResult<AnswerDelta, Answer>>;
}

/** Runs chats against the configured providers. One per gateway; `close()` on shutdown. */
export class ChatService {
  readonly #options: ChatServiceOptions;
  readonly #limits: ChatLimits;
  readonly #random: () => string;
  readonly #runs = new Map<string, Run>();
  readonly #attempts: ProviderAttempts;
  /** Lets go of the small heap; set while any run streams. */
  #releaseHeap: (() => void) | undefined;
  #closed = false;

  constructor(options: ChatServiceOptions) {
    this.#options = options;
    this.#limits = { ...CHAT_DEFAULTS, ...options.limits };
    this.#random = options.random ?? randomUUID;
    this.#attempts = new ProviderAttempts({
      profiles: options.profiles,
      catalog: options.catalog,
      clock: options.clock,
      streamFns: options.streamFns,
      streamOptions: options.streamOptions,
    });
  }

  /** Runs currently streaming. */
  get activeRuns(): number {
    return this.#runs.size;
  }

  /**
   * Checks everything that can fail before answering (message, agent, session, provider,
   * credentials) and throws a `GatewayError` for it. Then starts the run and returns; the
   * reply arrives through `emit`: `delta`s, then exactly one `final` or `error`.
   */
  async send(
    params: ChatSendParams,
    emit: (event: ChatRunEvent) => void,
    writable: (signal: AbortSignal) => Promise<void> | undefined = () => undefined,
  ): Promise<{ runId: string; sessionId: string }> {
    if (this.#closed) throw shuttingDown();
    const message = this.#checkMessage(params.message);
    const config = this.#options.getConfig();
    const sessionId = params.sessionId ?? this.#random();
    if (!isValidSessionId(sessionId))
      throw invalidRequest('invalid session id (use 1-64 of A-Z a-z 0-9 _ -)');
    // A message into an existing session goes to its agent unless another is named (which
    // the session then refuses, CONFLICT), and first to the profile that answered it last.
    const session =
      params.sessionId === undefined ? undefined : await this.#options.sessions.factsOf(sessionId);
    const agent = findAgent(config, params.agentId ?? session?.agentId);
    const { runId, run } = this.#reserve(sessionId);
    try {
      const { sessions } = this.#options;
      const choice = { preferredProfile: lastProfile(session, agent, params.override), ...params };
      const plan = await this.#attempts.plan(config, agent, choice);
      await sessions.open(sessionId, agent.id);
      const messages = await sessions.historyWith(sessionId, { role: 'user', content: message });
      // The provider is asked while the user message is being made durable, so the first
      // token does not wait for the disk; nothing reaches the client before the answer,
      // and the answer waits for the fsync (a failed write drops the request).
      const deltas = this.#attempts.run(plan, messages, run.controller.signal, (by) => {
        run.asking = by;
      });
      const first = deltas.next();
      // Handled: a provider failing during the fsync must not be an unhandled rejection;
      // #stream awaits `first` itself and reports it.
      first.catch(() => undefined);
      try {
        await sessions.append(sessionId, { role: 'user', content: message, runId });
        if (this.#closed) throw shuttingDown();
      } catch (error) {
        run.controller.abort();
        await first.catch(() => undefined);
        throw error;
      }
      run.done = this.#stream({ runId, sessionId, deltas, first }, run, emit, writable);
    } catch (error) {
      this.#endRun(runId);
      throw error;
    }
    return { runId, sessionId };
  }

  /** Stops a run: the upstream request is cancelled and the run ends with `final` holding the partial text. */
  abort(runId: string): boolean {
    const run = this.#runs.get(runId);
    run?.controller.abort();
    return run !== undefined;
  }

  /** The run streaming in `sessionId`, if any (`sessions.delete` refuses a busy session). */
  runInSession(sessionId: string): string | undefined {
    for (const [runId, run] of this.#runs) if (run.sessionId === sessionId) return runId;
    return undefined;
  }

  /** Aborts every run and waits until each has emitted its last event and saved its history. */
  async close(): Promise<void> {
    this.#closed = true;
    const runs = [...this.#runs.values()];
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done));
  }

  #checkMessage(message: unknown): string {
    if (typeof message !== 'string' || message.trim() === '')
      throw invalidRequest('message must be non-empty text');
    if (message.length > this.#limits.maxMessageChars) {
      throw invalidRequest(`message too long (at most ${this.#limits.maxMessageChars} characters)`);
    }
    return message;
  }

  /** Claims a run slot and the session synchronously, before any await can let a rival in. */
  #reserve(sessionId: string): { runId: string; run: Run } {
    if (this.#runs.size >= this.#limits.maxConcurrentRuns) {
      throw rateLimited(
        `too many chat runs in progress (at most ${this.#limits.maxConcurrentRuns}); wait for one to finish`,
      );
    }
    for (const [id, run] of this.#runs) {
      // Two runs on one session would interleave its history.
      if (run.sessionId === sessionId)
        throw conflict(`session "${sessionId}" is busy with run ${id} (wait or abort it)`);
    }
    const runId = this.#random();
    const run: Run = { sessionId, controller: new AbortController(), done: Promise.resolve() };
    // Before the run counts: a hold that throws must not leave a run nothing will end.
    this.#releaseHeap ??= (this.#options.holdSmallHeap ?? holdSmallHeap)();
    this.#runs.set(runId, run);
    return { runId, run };
  }

  async #stream(
    prepared: Prepared,
    run: Run,
    emit: (event: ChatRunEvent) => void,
    writable: (signal: AbortSignal) => Promise<void> | undefined,
  ): Promise<void> {
    const { runId, sessionId, deltas } = prepared;
    const send = (event: ChatRunEvent) => {
      try {
        emit(event);
      } catch {
        // A listener that went away must not end the run: its history is still saved.
      }
    };
    const relay = new DeltaRelay((text) => send({ runId, sessionId, state: 'delta', text }), {
      maxChars: this.#limits.maxDeltaChars,
      signal: run.controller.signal,
    });
    let text: string;
    let aborted = false;
    let answer: Partial<Answer> = {};
    // Lets the caller send the `chat.send` response before the run's first event.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      try {
        let next = await prepared.first;
        while (!next.done) {
          relay.push(next.value.texts);
          // The listener's queue is full: the rest of the reply waits upstream until it drains.
          const waiting = writable(run.controller.signal);
          if (waiting) await untilSettledOrAborted(waiting, run.controller.signal);
          // Aborted while it waited: end as an abort, without reading on.
          if (run.controller.signal.aborted) throw new ChatAbortedError();
          next = await deltas.next();
        }
        answer = next.value;
        text = relay.finish();
      } catch (error) {
        if (!(error instanceof ChatAbortedError)) {
          // The text that arrived before the failure still reaches the client, then the
          // error; the session keeps that text too (the user saw it), marked failed.
          const shown = relay.finish();
          if (shown) {
            await this.#options.sessions.append(sessionId, {
              role: 'assistant',
              content: shown,
              runId,
              ...run.asking,
              failed: true,
            });
          }
          return send({ runId, sessionId, state: 'error', error: wireError(error) });
        }
        aborted = true;
        // An aborted run's final still says who was answering, or being asked.
        answer = run.asking ?? {};
        text = relay.abandon();
      }
      // An abort keeps what arrived (the user saw it), marked so, and ends like any reply.
      if (!aborted || text) {
        await this.#options.sessions.append(sessionId, {
          role: 'assistant',
          content: text,
          runId,
          // What answered (provider, model, profile), shown by sessions.get.
          ...answer,
          ...(aborted ? { aborted: true } : {}),
        });
      }
      send({ runId, sessionId, state: 'final', text, ...answer });
    } catch {
      const error = unavailable(
        'the reply could not be saved to the session history (check disk space)',
      );
      send({ runId, sessionId, state: 'error', error: error.toWire() });
    } finally {
      this.#endRun(runId);
    }
  }

  #endRun(runId: string): void {
    this.#runs.delete(runId);
    if (this.#runs.size > 0) return;
    this.#releaseHeap?.();
    this.#releaseHeap = undefined;
  }
}

function shuttingDown(): GatewayError {
  return unavailable('chat is shutting down (try again after the restart)');
}

/** Registry errors go out as they are; anything else is INTERNAL with no detail. */
function wireError(error: unknown): ProtocolError {
  if (error instanceof GatewayError) return error.toWire();
  return { code: 'INTERNAL', message: 'chat run failed' };
}

/** Waits for `waiting`, or less when `signal` aborts first (an abort must not wait on a stalled client). */
async function untilSettledOrAborted(waiting: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([waiting, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
