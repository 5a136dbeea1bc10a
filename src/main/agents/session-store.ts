/**
 * Chat sessions, one file each (`session-file.ts` has the format), with the recent tail of
 * each in memory and a summary of every session in an in-memory index that is built once,
 * on first use, and then kept up to date by every write: `list` never reads a file.
 *
 * Durability: every line is written and fsynced (the folder too, when the file is new)
 * before the call that wrote it resolves. So a `chat.send` answer means its user message is
 * on disk, a `final` event means the reply is, and a `sessions.patch` or `sessions.delete`
 * answer means the change is.
 */
import { chmod, mkdir, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError, conflict, invalidRequest, notFound } from '../../shared/errors.js';
import type { SessionOverride, SessionSummary } from '../../shared/protocol.js';
import { KeyedSerialQueue } from '../fs/atomic-file.js';
import type { ChatMessage } from '../providers/provider-types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { headerLine, newestWithin, parseSessionFile, toLine } from './session-file.js';
import { NODE_SESSION_FS, syncFolder, writeSynced, type SessionFs } from './session-fs.js';
import type { ParsedSessionFile, SessionMessage } from './session-file.js';
import { newMeta, noteMessage, noteMeta, pageSessions, toSummary } from './session-meta.js';
import type { ListQuery, MetaLine, SessionMeta } from './session-meta.js';
import { INVALID_SESSION_ID, SESSION_DEFAULTS, isValidSessionId } from './session-limits.js';
import type { SessionLimits } from './session-limits.js';

export type { SessionMessage } from './session-file.js';
export type { SessionFs } from './session-fs.js';
export {
  INVALID_SESSION_ID,
  SESSION_DEFAULTS,
  SESSION_ID_PATTERN,
  isValidSessionId,
  type SessionLimits,
} from './session-limits.js';

/** What `open` reports about a session. */
export interface SessionInfo {
  id: string;
  agentId: string;
  createdAtMs: number;
  /** False until the first message is written: a failed first request leaves no file. */
  persisted: boolean;
}

/** What `get` returns. */
export interface SessionTranscript {
  session: SessionSummary;
  messages: SessionMessage[];
  /** Older messages left out to stay within `maxGetBytes`. */
  omitted: number;
}

/** A change of `sessions.patch`; `override: null` clears it. */
export interface SessionPatch {
  title?: string | undefined;
  override?: SessionOverride | null | undefined;
}

interface SessionState {
  id: string;
  persisted: boolean;
  /** For a persisted session, the very object in the index. */
  meta: SessionMeta;
  messages: SessionMessage[];
  /** The file ends in a torn line from this byte on: the next write cuts it off. */
  tornAt: number | undefined;
}

/**
 * Sessions on disk plus a bounded in-memory cache. The work on one session runs one task at
 * a time, in the order asked; sessions run side by side, so a reply waiting on its fsync
 * never holds up another session's (one queue for all made 100 concurrent chats save one
 * after another, each run holding its reply meanwhile).
 */
export class SessionStore {
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #limits: SessionLimits;
  readonly #fs: SessionFs;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #cache = new Map<string, SessionState>();
  readonly #index = new Map<string, SessionMeta>();
  /** Files set aside while building the index: the next use of the id reports it, once. */
  readonly #damaged = new Map<string, GatewayError>();
  readonly #queues = new KeyedSerialQueue();
  /** Built once, before the first task; a failed build is tried again by the next task. */
  #indexing: Promise<void> | undefined;
  #dirReady = false;

  constructor(options: {
    sessionsDir: string;
    clock: Clock;
    limits?: Partial<SessionLimits>;
    fs?: SessionFs;
    /** Told about session files that could not be read while building the index. */
    logger?: Pick<Logger, 'warn'>;
  }) {
    this.#dir = options.sessionsDir;
    this.#clock = options.clock;
    this.#limits = { ...SESSION_DEFAULTS, ...options.limits };
    this.#fs = options.fs ?? NODE_SESSION_FS;
    this.#logger = options.logger;
  }

  /**
   * Loads the session, or starts it under this id when it does not exist yet. A session is
   * bound to the agent it started with: another agent gets CONFLICT.
   */
  async open(sessionId: string, agentId: string): Promise<SessionInfo> {
    const state = await this.#task(sessionId, () => this.#load(sessionId, agentId));
    const { agentId: owner, createdAtMs } = state.meta;
    if (owner !== agentId) {
      throw conflict(
        `session "${sessionId}" belongs to agent "${owner}", not "${agentId}" (start a new session for this agent)`,
      );
    }
    return { id: state.id, agentId: owner, createdAtMs, persisted: state.persisted };
  }

  /** Appends one message to an open session; resolves once it is on disk. */
  async append(sessionId: string, message: Omit<SessionMessage, 'ts'>): Promise<SessionMessage> {
    const line: SessionMessage = { ...message, ts: this.#clock.now() };
    await this.#task(sessionId, async () => {
      const state = await this.#load(sessionId, undefined);
      await this.#write(state, toLine(line));
      noteMessage(state.meta, line);
      state.messages.push(line);
      state.messages.splice(0, Math.max(0, state.messages.length - this.#limits.historyLimit));
      this.#evict();
    });
    return line;
  }

  /**
   * The last `historyLimit` messages, as sent upstream. A window never starts with an
   * assistant turn: Anthropic requires the first message to be the user's.
   */
  async history(sessionId: string): Promise<ChatMessage[]> {
    const state = await this.#task(sessionId, () => this.#load(sessionId, undefined));
    return historyWindow(state.messages, this.#limits.historyLimit);
  }

  /**
   * What `history` will return once `next` is appended, before it is: a run asks the
   * provider while its user message is still being written (chat-service.ts).
   */
  async historyWith(sessionId: string, next: ChatMessage): Promise<ChatMessage[]> {
    const state = await this.#task(sessionId, () => this.#load(sessionId, undefined));
    return historyWindow([...state.messages, next], this.#limits.historyLimit);
  }

  /** Every message on disk (not just the cached tail), for transcripts and tests. */
  async readAll(
    sessionId: string,
  ): Promise<{ agentId: string; createdAtMs: number; messages: SessionMessage[] } | undefined> {
    checkId(sessionId);
    const parsed = await this.#task(sessionId, () =>
      this.#readFile(sessionId, Number.POSITIVE_INFINITY),
    );
    if (!parsed) return undefined;
    const { agentId, createdAtMs } = parsed.meta;
    return { agentId, createdAtMs, messages: parsed.messages };
  }

  /** A page of sessions, newest first (see `pageSessions`). */
  async list(query: Partial<ListQuery>): Promise<SessionSummary[]> {
    const limit = Math.min(query.limit ?? this.#limits.listPageSize, this.#limits.maxListPageSize);
    await this.#indexBuilt();
    return pageSessions(this.#index, { ...query, limit });
  }

  /**
   * One session and its messages, oldest first: all of them, or the newest that fit in
   * `maxGetBytes` and the number of older ones `omitted`. NOT_FOUND for a session with
   * nothing on disk.
   */
  async get(sessionId: string): Promise<SessionTranscript> {
    checkId(sessionId);
    return this.#task(sessionId, async () => {
      const meta = this.#known(sessionId);
      const parsed = await this.#readFile(sessionId, Number.POSITIVE_INFINITY);
      if (!parsed) throw missing(sessionId);
      const { messages, omitted } = newestWithin(parsed.messages, this.#limits.maxGetBytes);
      return { session: toSummary(sessionId, meta), messages, omitted };
    });
  }

  /** The session's override, or undefined (also for a session that does not exist yet). */
  async overrideOf(sessionId: string): Promise<SessionOverride | undefined> {
    checkId(sessionId);
    return this.#task(sessionId, () => {
      const override = this.#index.get(sessionId)?.override;
      return Promise.resolve(override && { ...override });
    });
  }

  /** Sets the title and/or the override (null clears it); resolves once it is on disk. */
  async patch(sessionId: string, patch: SessionPatch): Promise<SessionSummary> {
    checkId(sessionId);
    return this.#task(sessionId, async () => {
      this.#known(sessionId);
      const state = await this.#load(sessionId, undefined);
      const line: MetaLine = { type: 'meta', ts: this.#clock.now() };
      if (patch.title !== undefined) line.title = patch.title;
      if (patch.override !== undefined) line.override = patch.override;
      await this.#write(state, toLine(line));
      noteMeta(state.meta, line);
      return toSummary(sessionId, state.meta);
    });
  }

  /**
   * Removes the session's file; resolves once the removal is on disk. Queued at once, so a
   * message sent after this call starts a new session under the same id.
   */
  async delete(sessionId: string): Promise<void> {
    checkId(sessionId);
    return this.#task(sessionId, async () => {
      this.#known(sessionId);
      await unlink(this.#path(sessionId)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      });
      this.#index.delete(sessionId);
      this.#cache.delete(sessionId);
      await syncFolder(this.#fs, this.#dir);
    });
  }

  /** Runs `work` after every earlier task on `sessionId`, with the index built. */
  #task<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.#queues.run(sessionId, async () => {
      await this.#indexBuilt();
      return work();
    });
  }

  #indexBuilt(): Promise<void> {
    this.#indexing ??= this.#buildIndex().catch((error: unknown) => {
      this.#indexing = undefined;
      throw error;
    });
    return this.#indexing;
  }

  #known(sessionId: string): SessionMeta {
    this.#reportDamaged(sessionId);
    const meta = this.#index.get(sessionId);
    if (!meta) throw missing(sessionId);
    return meta;
  }

  /** Reads every session file once. A file that cannot be read is logged and left out. */
  async #buildIndex(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      names = [];
    }
    for (const name of names) {
      const id = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : '';
      if (!isValidSessionId(id)) continue;
      try {
        const parsed = await this.#readFile(id, 0);
        if (parsed) this.#index.set(id, parsed.meta);
      } catch (error) {
        if (error instanceof GatewayError) this.#damaged.set(id, error);
        this.#logger?.warn(`session ${id} left out of the list: ${(error as Error).message}`);
      }
    }
  }

  /** Cached session, else from disk, else new (only when `agentId` is given). */
  async #load(sessionId: string, agentId: string | undefined): Promise<SessionState> {
    checkId(sessionId);
    this.#reportDamaged(sessionId);
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
      this.#index.set(sessionId, fromDisk.meta);
    } else if (agentId !== undefined) {
      const meta = newMeta(agentId, this.#clock.now());
      state = { id: sessionId, persisted: false, meta, messages: [], tornAt: undefined };
    } else {
      throw missing(sessionId);
    }
    this.#cache.set(sessionId, state);
    this.#evict();
    return state;
  }

  /** Writes `text` at the end of the session's file and fsyncs it (and the folder for a new file). */
  async #write(state: SessionState, text: string): Promise<void> {
    const path = this.#path(state.id);
    const { agentId, createdAtMs } = state.meta;
    try {
      if (state.persisted) {
        await writeSynced(this.#fs, path, 'a', text, state.tornAt);
      } else {
        await this.#ensureDir();
        // 'w', not 'a': a file holding only a torn first write is replaced, not extended.
        await writeSynced(this.#fs, path, 'w', `${headerLine(agentId, createdAtMs)}${text}`);
        await syncFolder(this.#fs, this.#dir);
      }
    } catch (error) {
      // How much reached the file is unknown: read it afresh before the next write.
      if (state.persisted) this.#cache.delete(state.id);
      throw error;
    }
    if (!state.persisted) this.#index.set(state.id, state.meta);
    state.persisted = true;
    state.tornAt = undefined;
  }

  async #readFile(sessionId: string, keep: number): Promise<ParsedSessionFile | undefined> {
    let data: Buffer;
    try {
      data = await readFile(this.#path(sessionId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = parseSessionFile(data, keep);
    if (parsed === 'damaged') return this.#setAside(sessionId);
    return parsed;
  }

  /** A file whose header is unreadable: keep it for inspection, and say so. */
  async #setAside(sessionId: string): Promise<never> {
    await rename(this.#path(sessionId), `${this.#path(sessionId)}.damaged-${this.#clock.now()}`);
    this.#index.delete(sessionId);
    this.#cache.delete(sessionId);
    throw new GatewayError(
      'UNAVAILABLE',
      `session "${sessionId}" history was unreadable and has been set aside (send again to start it fresh)`,
    );
  }

  #reportDamaged(sessionId: string): void {
    const error = this.#damaged.get(sessionId);
    if (!error) return;
    this.#damaged.delete(sessionId);
    throw error;
  }

  async #ensureDir(): Promise<void> {
    if (this.#dirReady) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    // mkdir's mode only applies to folders it creates; this one is ours, so tighten it.
    await chmod(this.#dir, 0o700);
    this.#dirReady = true;
  }

  /** Least recently used first, past either limit; never the session in use (the newest). */
  #evict(): void {
    let chars = 0;
    for (const state of this.#cache.values()) chars += textLength(state);
    const newest = [...this.#cache.keys()].at(-1);
    for (const [id, state] of this.#cache) {
      const over =
        this.#cache.size > this.#limits.maxCachedSessions || chars > this.#limits.maxCachedChars;
      if (!over || id === newest) return;
      // A session opened but not yet written exists only here; dropping it would lose it.
      if (!state.persisted) continue;
      this.#cache.delete(id);
      chars -= textLength(state);
    }
  }

  #path(sessionId: string): string {
    return join(this.#dir, `${sessionId}.jsonl`);
  }
}

function checkId(sessionId: string): void {
  if (!isValidSessionId(sessionId)) throw invalidRequest(INVALID_SESSION_ID);
}

function missing(sessionId: string): GatewayError {
  return notFound(`session "${sessionId}" not found (see: special-agent chat --list)`);
}

/** The last `limit` messages, from the first user turn on (Anthropic requires one first). */
function historyWindow(messages: readonly ChatMessage[], limit: number): ChatMessage[] {
  const window = messages.slice(-limit);
  const start = window.findIndex((message) => message.role === 'user');
  return (start < 0 ? [] : window.slice(start)).map(({ role, content }) => ({ role, content }));
}

/** Characters of message text a cached session holds. */
function textLength(state: SessionState): number {
  let chars = 0;
  for (const message of state.messages) chars += message.content.length;
  return chars;
}
