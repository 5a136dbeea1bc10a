/**
 * The summary of every session on disk (`session-meta.ts`), so `sessions.list` never reads
 * a file: built once, on first use, by reading every file, then kept up to date by the
 * store's writes.
 */
import { GatewayError, notFound } from '../../shared/errors.js';
import type { SessionSummary } from '../../shared/protocol.js';
import type { Logger } from '../util/logger.js';
import type { SessionFolder } from './session-folder.js';
import { pageSessions, type ListQuery, type SessionMeta } from './session-meta.js';

/** NOT_FOUND for a session with nothing on disk, naming the CLI to list them. */
export function missingSession(sessionId: string): GatewayError {
  return notFound(`session "${sessionId}" not found (see: special-agent chat --list)`);
}

/** The in-memory index of {@link SessionStore}. */
export class SessionIndex {
  readonly #folder: SessionFolder;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #metas = new Map<string, SessionMeta>();
  /** Files set aside while building the index: the next use of the id reports it, once. */
  readonly #damaged = new Map<string, GatewayError>();
  /** Built once, before the first task; a failed build is tried again by the next task. */
  #building: Promise<void> | undefined;

  /** `logger` is told about session files that could not be read while building. */
  constructor(folder: SessionFolder, logger: Pick<Logger, 'warn'> | undefined) {
    this.#folder = folder;
    this.#logger = logger;
  }

  /** Resolves once the index is built (the first call builds it). */
  built(): Promise<void> {
    this.#building ??= this.#build().catch((error: unknown) => {
      this.#building = undefined;
      throw error;
    });
    return this.#building;
  }

  /** The summary of a session on disk, if any. */
  get(sessionId: string): SessionMeta | undefined {
    return this.#metas.get(sessionId);
  }

  /** Records a session on disk (`meta` is then updated in place by each write). */
  set(sessionId: string, meta: SessionMeta): void {
    this.#metas.set(sessionId, meta);
  }

  /** Forgets a session that is no longer on disk. */
  delete(sessionId: string): void {
    this.#metas.delete(sessionId);
  }

  /** The summary of a session on disk, else NOT_FOUND (or the error that set it aside). */
  known(sessionId: string): SessionMeta {
    this.reportDamaged(sessionId);
    const meta = this.#metas.get(sessionId);
    if (!meta) throw missingSession(sessionId);
    return meta;
  }

  /** Throws, once, the error of a file set aside while building the index. */
  reportDamaged(sessionId: string): void {
    const error = this.#damaged.get(sessionId);
    if (!error) return;
    this.#damaged.delete(sessionId);
    throw error;
  }

  /** A page of sessions, newest first (see `pageSessions`). */
  page(query: ListQuery): SessionSummary[] {
    return pageSessions(this.#metas, query);
  }

  /** Reads every session file once. A file that cannot be read is logged and left out. */
  async #build(): Promise<void> {
    for (const id of await this.#folder.ids()) {
      try {
        const parsed = await this.#folder.read(id, 0);
        if (parsed) this.#metas.set(id, parsed.meta);
      } catch (error) {
        if (error instanceof GatewayError) this.#damaged.set(id, error);
        this.#logger?.warn(`session ${id} left out of the list: ${(error as Error).message}`);
      }
    }
  }
}
