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
import { conflict } from '../../shared/errors.js';
import type { SessionOverride, SessionSummary } from '../../shared/protocol.js';
import { KeyedSerialQueue } from '../fs/atomic-file.js';
import type { ChatMessage } from '../providers/provider-types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { SessionCache, type SessionState } from './session-cache.js';
import { headerLine, newestWithin, toLine, type SessionMessage } from './session-file.js';
import { SessionFolder } from './session-folder.js';
import { NODE_SESSION_FS, type SessionFs } from './session-fs.js';
import { SessionIndex, missingSession } from './session-index.js';
import { newMeta, noteMessage, noteMeta, toSummary } from './session-meta.js';
import type { ListQuery, MetaLine, SessionMeta } from './session-meta.js';
import { SESSION_DEFAULTS, checkSessionId } from './session-limits.js';
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

/**
 * Sessions on disk plus a bounded in-memory cache. The work on one session runs one task at
 * a time, in the order asked; sessions run side by side, so a reply waiting on its fsync
 * never holds up another session's (one queue for all made 100 concurrent chats save one
 * after another, each run holding its reply meanwhile).
 */
export class SessionStore {
  readonly #clock: Clock;
  readonly #limits: SessionLimits;
  readonly #folder: SessionFolder;
  readonly #cache: SessionCache;
  readonly #index: SessionIndex;
  readonly #queues = new KeyedSerialQueue();

  constructor(options: {
    sessionsDir: string;
    clock: Clock;
    limits?: Partial<SessionLimits>;
    fs?: SessionFs;
    /** Told about session files that could not be read while building the index. */
    logger?: Pick<Logger, 'warn'>;
  }) {
    this.#clock = options.clock;
    this.#limits = { ...SESSION_DEFAULTS, ...options.limits };
    this.#cache = new SessionCache(this.#limits);
    this.#folder = new SessionFolder({
      dir: options.sessionsDir,
      clock: options.clock,
      fs: options.fs ?? NODE_SESSION_FS,
      onSetAside: (sessionId) => {
        this.#index.delete(sessionId);
        this.#cache.delete(sessionId);
      },
    });
    this.#index = new SessionIndex(this.#folder, options.logger);
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
      this.#cache.evict();
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
    checkSessionId(sessionId);
    const parsed = await this.#task(sessionId, () =>
      this.#folder.read(sessionId, Number.POSITIVE_INFINITY),
    );
    if (!parsed) return undefined;
    const { agentId, createdAtMs } = parsed.meta;
    return { agentId, createdAtMs, messages: parsed.messages };
  }

  /** A page of sessions, newest first (see `pageSessions`). */
  async list(query: Partial<ListQuery>): Promise<SessionSummary[]> {
    const limit = Math.min(query.limit ?? this.#limits.listPageSize, this.#limits.maxListPageSize);
    await this.#index.built();
    return this.#index.page({ ...query, limit });
  }

  /**
   * One session and its messages, oldest first: all of them, or the newest that fit in
   * `maxGetBytes` and the number of older ones `omitted`. NOT_FOUND for a session with
   * nothing on disk.
   */
  async get(sessionId: string): Promise<SessionTranscript> {
    checkSessionId(sessionId);
    return this.#task(sessionId, async () => {
      const meta = this.#index.known(sessionId);
      const parsed = await this.#folder.read(sessionId, Number.POSITIVE_INFINITY);
      if (!parsed) throw missingSession(sessionId);
      const { messages, omitted } = newestWithin(parsed.messages, this.#limits.maxGetBytes);
      return { session: toSummary(sessionId, meta), messages, omitted };
    });
  }

  /**
   * What a new message into a session on disk needs to know of it: its agent, and who
   * answered it last. Undefined when there is none yet under this id.
   */
  async factsOf(
    sessionId: string,
  ): Promise<Pick<SessionMeta, 'agentId' | 'answeredBy'> | undefined> {
    checkSessionId(sessionId);
    return this.#task(sessionId, () => {
      const meta = this.#index.get(sessionId);
      return Promise.resolve(meta && { agentId: meta.agentId, answeredBy: meta.answeredBy });
    });
  }

  /** The session's override, or undefined (also for a session that does not exist yet). */
  async overrideOf(sessionId: string): Promise<SessionOverride | undefined> {
    checkSessionId(sessionId);
    return this.#task(sessionId, () => {
      const override = this.#index.get(sessionId)?.override;
      return Promise.resolve(override && { ...override });
    });
  }

  /** Sets the title and/or the override (null clears it); resolves once it is on disk. */
  async patch(sessionId: string, patch: SessionPatch): Promise<SessionSummary> {
    checkSessionId(sessionId);
    return this.#task(sessionId, async () => {
      this.#index.known(sessionId);
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
    checkSessionId(sessionId);
    return this.#task(sessionId, async () => {
      this.#index.known(sessionId);
      await this.#folder.unlink(sessionId);
      this.#index.delete(sessionId);
      this.#cache.delete(sessionId);
      await this.#folder.sync();
    });
  }

  /** Runs `work` after every earlier task on `sessionId`, with the index built. */
  #task<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.#queues.run(sessionId, async () => {
      await this.#index.built();
      return work();
    });
  }

  /** Cached session, else from disk, else new (only when `agentId` is given). */
  async #load(sessionId: string, agentId: string | undefined): Promise<SessionState> {
    checkSessionId(sessionId);
    this.#index.reportDamaged(sessionId);
    const cached = this.#cache.use(sessionId);
    if (cached) return cached;
    const fromDisk = await this.#folder.read(sessionId, this.#limits.historyLimit);
    let state: SessionState;
    if (fromDisk) {
      state = { id: sessionId, persisted: true, ...fromDisk };
      this.#index.set(sessionId, fromDisk.meta);
    } else if (agentId !== undefined) {
      const meta = newMeta(agentId, this.#clock.now());
      state = { id: sessionId, persisted: false, meta, messages: [], tornAt: undefined };
    } else {
      throw missingSession(sessionId);
    }
    this.#cache.add(state);
    return state;
  }

  /** Writes `text` at the end of the session's file and fsyncs it (and the folder for a new file). */
  async #write(state: SessionState, text: string): Promise<void> {
    const { agentId, createdAtMs } = state.meta;
    try {
      if (state.persisted) {
        await this.#folder.append(state.id, text, state.tornAt);
      } else {
        await this.#folder.ensure();
        // `replace`, not `append`: a file holding only a torn first write is replaced, not extended.
        await this.#folder.replace(state.id, `${headerLine(agentId, createdAtMs)}${text}`);
        await this.#folder.sync();
      }
    } catch (error) {
      // How much reached the file is unknown: read it afresh before the next write. A new
      // session whose first write failed is then what the disk says: none, or the file.
      this.#cache.delete(state.id);
      throw error;
    }
    if (!state.persisted) this.#index.set(state.id, state.meta);
    state.persisted = true;
    state.tornAt = undefined;
  }
}

/**
 * The last `limit` messages, from the first user turn on (Anthropic requires one first),
 * without empty answers: Anthropic refuses a turn with no text, which would fail every
 * later message of the session. It joins the user turns on either side.
 */
function historyWindow(messages: readonly ChatMessage[], limit: number): ChatMessage[] {
  const window = messages.slice(-limit);
  const start = window.findIndex((message) => message.role === 'user');
  return (start < 0 ? [] : window.slice(start))
    .filter((message) => message.role !== 'assistant' || message.content.trim() !== '')
    .map(({ role, content }) => ({ role, content }));
}
