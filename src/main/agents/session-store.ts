/**
 * Chat sessions: kept in memory (the recent tail) and appended to
 * `<sessionsDir>/<sessionId>.jsonl`, one JSON object a line. The first line is the header
 * `{type:"session", agentId, createdAtMs}`; every later line is a message
 * `{role, content, ts, runId?, aborted?}`. Appending (not rewriting) keeps a crash to at most
 * one torn last line, which reading ignores and the next append starts past.
 */
import { chmod, mkdir, readFile, rename, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError, conflict, invalidRequest } from '../../shared/errors.js';
import { SerialQueue } from '../fs/atomic-file.js';
import type { Clock } from '../util/clock.js';
import type { ChatMessage } from '../providers/provider-types.js';

/** Session ids become file names, so only these characters, and never a raw path. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface SessionLimits {
  /** Most recent messages sent upstream (and kept in memory) per session. */
  historyLimit: number;
  /** Sessions kept in memory; older ones are reloaded from disk on use. */
  maxCachedSessions: number;
}

export const SESSION_DEFAULTS: Readonly<SessionLimits> = Object.freeze({
  historyLimit: 50,
  maxCachedSessions: 256,
});

/** One stored message line. */
export interface SessionMessage {
  role: 'user' | 'assistant';
  content: string;
  ts: number;
  runId?: string;
  /** The run was aborted; `content` is what had arrived by then. */
  aborted?: boolean;
}

/** What `open` reports about a session. */
export interface SessionInfo {
  id: string;
  agentId: string;
  createdAtMs: number;
  /** False until the first message is written: a failed first request leaves no file. */
  persisted: boolean;
}

interface SessionState extends SessionInfo {
  messages: SessionMessage[];
  /** The file ends in a torn line: the next append starts on a fresh line. */
  needsNewline: boolean;
}

/** True when `id` may name a session. */
export function isValidSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/** Sessions on disk plus a bounded in-memory cache. All disk work runs one task at a time. */
export class SessionStore {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #limits: SessionLimits;
  readonly #cache = new Map<string, SessionState>();
  readonly #io = new SerialQueue();
  #dirReady = false;

  constructor(options: { sessionsDir: string; clock: Clock; limits?: Partial<SessionLimits> }) {
    this.#dir = options.sessionsDir;
    this.#clock = options.clock;
    this.#limits = { ...SESSION_DEFAULTS, ...options.limits };
  }

  /**
   * Loads the session, or starts it under this id when it does not exist yet. A session is
   * bound to the agent it started with: another agent gets CONFLICT.
   */
  async open(sessionId: string, agentId: string): Promise<SessionInfo> {
    const state = await this.#io.run(() => this.#load(sessionId, agentId));
    if (state.agentId !== agentId) {
      throw conflict(
        `session "${sessionId}" belongs to agent "${state.agentId}", not "${agentId}" (start a new session for this agent)`,
      );
    }
    return {
      id: state.id,
      agentId: state.agentId,
      createdAtMs: state.createdAtMs,
      persisted: state.persisted,
    };
  }

  /** Appends one message to an open session: to memory, then to its file. */
  async append(sessionId: string, message: Omit<SessionMessage, 'ts'>): Promise<SessionMessage> {
    const line: SessionMessage = { ...message, ts: this.#clock.now() };
    await this.#io.run(async () => {
      const state = await this.#load(sessionId, undefined);
      const path = this.#path(sessionId);
      const json = `${JSON.stringify(line)}\n`;
      if (!state.persisted) {
        await this.#ensureDir();
        const header = { type: 'session', agentId: state.agentId, createdAtMs: state.createdAtMs };
        // 'w', not 'a': a file holding only a torn header is replaced, not extended.
        await writeFile(path, `${JSON.stringify(header)}\n${json}`, { mode: 0o600, flag: 'w' });
        state.persisted = true;
      } else {
        await appendFile(path, `${state.needsNewline ? '\n' : ''}${json}`, { mode: 0o600 });
      }
      state.needsNewline = false;
      state.messages.push(line);
      state.messages.splice(0, Math.max(0, state.messages.length - this.#limits.historyLimit));
    });
    return line;
  }

  /**
   * The last `historyLimit` messages, as sent upstream. A window never starts with an
   * assistant turn: Anthropic requires the first message to be the user's.
   */
  async history(sessionId: string): Promise<ChatMessage[]> {
    const state = await this.#io.run(() => this.#load(sessionId, undefined));
    const window = state.messages.slice(-this.#limits.historyLimit);
    const start = window.findIndex((message) => message.role === 'user');
    return (start < 0 ? [] : window.slice(start)).map(({ role, content }) => ({ role, content }));
  }

  /** Every message on disk (not just the cached tail), for transcripts and tests. */
  async readAll(
    sessionId: string,
  ): Promise<{ agentId: string; createdAtMs: number; messages: SessionMessage[] } | undefined> {
    if (!isValidSessionId(sessionId))
      throw invalidRequest(`invalid session id (use 1-64 of A-Z a-z 0-9 _ -)`);
    return this.#io.run(async () => {
      const parsed = await this.#readFile(sessionId, Number.POSITIVE_INFINITY);
      return (
        parsed && {
          agentId: parsed.agentId,
          createdAtMs: parsed.createdAtMs,
          messages: parsed.messages,
        }
      );
    });
  }

  /** Cached session, else from disk, else new (only when `agentId` is given). Runs inside #io. */
  async #load(sessionId: string, agentId: string | undefined): Promise<SessionState> {
    if (!isValidSessionId(sessionId))
      throw invalidRequest(`invalid session id (use 1-64 of A-Z a-z 0-9 _ -)`);
    const cached = this.#cache.get(sessionId);
    if (cached) {
      // Re-insert: Map order is our least-recently-used order.
      this.#cache.delete(sessionId);
      this.#cache.set(sessionId, cached);
      return cached;
    }
    const fromDisk = await this.#readFile(sessionId, this.#limits.historyLimit);
    let state: SessionState;
    if (fromDisk) {
      state = { id: sessionId, persisted: true, ...fromDisk };
    } else if (agentId !== undefined) {
      state = {
        id: sessionId,
        agentId,
        createdAtMs: this.#clock.now(),
        persisted: false,
        messages: [],
        needsNewline: false,
      };
    } else {
      throw new GatewayError('NOT_FOUND', `session "${sessionId}" not found`);
    }
    this.#cache.set(sessionId, state);
    this.#evict();
    return state;
  }

  async #readFile(
    sessionId: string,
    keep: number,
  ): Promise<Omit<SessionState, 'id' | 'persisted'> | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(sessionId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const lines = text.split('\n');
    // The piece after the last newline is '' for a clean file, or a torn append.
    const torn = lines.pop() !== '';
    if (lines.length === 0) return undefined;
    const header = parseLine(lines[0] ?? '');
    if (!isHeader(header)) return this.#setAside(sessionId);
    const messages: SessionMessage[] = [];
    for (const line of lines.slice(1)) {
      const message = parseLine(line);
      if (isMessage(message)) messages.push(message);
    }
    return {
      agentId: header.agentId,
      createdAtMs: header.createdAtMs,
      messages: messages.slice(-keep),
      needsNewline: torn,
    };
  }

  /** A file whose header is unreadable: keep it for inspection, and say so. */
  async #setAside(sessionId: string): Promise<never> {
    await rename(this.#path(sessionId), `${this.#path(sessionId)}.damaged-${this.#clock.now()}`);
    throw new GatewayError(
      'UNAVAILABLE',
      `session "${sessionId}" history was unreadable and has been set aside (send again to start it fresh)`,
    );
  }

  async #ensureDir(): Promise<void> {
    if (this.#dirReady) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    // mkdir's mode only applies to folders it creates; this one is ours, so tighten it.
    await chmod(this.#dir, 0o700);
    this.#dirReady = true;
  }

  #evict(): void {
    for (const [id, state] of this.#cache) {
      if (this.#cache.size <= this.#limits.maxCachedSessions) return;
      // A session opened but not yet written exists only here; dropping it would lose it.
      if (state.persisted) this.#cache.delete(id);
    }
  }

  #path(sessionId: string): string {
    return join(this.#dir, `${sessionId}.jsonl`);
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isHeader(
  value: unknown,
): value is { type: 'session'; agentId: string; createdAtMs: number } {
  const v = value as { type?: unknown; agentId?: unknown; createdAtMs?: unknown } | undefined;
  return (
    v?.type === 'session' && typeof v.agentId === 'string' && typeof v.createdAtMs === 'number'
  );
}

function isMessage(value: unknown): value is SessionMessage {
  const v = value as { role?: unknown; content?: unknown; ts?: unknown } | undefined;
  return (
    (v?.role === 'user' || v?.role === 'assistant') &&
    typeof v.content === 'string' &&
    typeof v.ts === 'number'
  );
}
