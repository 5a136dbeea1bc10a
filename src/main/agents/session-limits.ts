/** Session ids and the session limits, with their defaults in one place. */
import { invalidRequest } from '../../shared/errors.js';

/** Session ids become file names, so only these characters, and never a raw path. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const INVALID_SESSION_ID = 'invalid session id (use 1-64 of A-Z a-z 0-9 _ -)';

export interface SessionLimits {
  /** Most recent messages sent upstream (and kept in memory) per session. */
  historyLimit: number;
  /** Sessions whose tail is kept in memory; older ones are reloaded from disk on use. */
  maxCachedSessions: number;
  /**
   * Characters of message text those cached tails may hold together (replies have no
   * length limit); past it the least recently used sessions go back to disk. The session
   * in use always stays.
   */
  maxCachedChars: number;
  /** Sessions a `sessions.list` page holds when it does not say. */
  listPageSize: number;
  /** Most sessions a `sessions.list` page may ask for. */
  maxListPageSize: number;
  /** Longest title `sessions.patch` accepts. */
  maxTitleChars: number;
  /**
   * Most bytes of messages one `sessions.get` answer carries (the newest ones; it says how
   * many older ones it left out). Half the gateway's `maxBufferedBytes`, so the answer
   * never closes the connection as a slow consumer.
   */
  maxGetBytes: number;
}

export const SESSION_DEFAULTS: Readonly<SessionLimits> = Object.freeze({
  historyLimit: 50,
  maxCachedSessions: 256,
  maxCachedChars: 8_000_000,
  listPageSize: 50,
  maxListPageSize: 200,
  maxTitleChars: 200,
  maxGetBytes: 4 * 1024 * 1024,
});

/** True when `id` may name a session. */
export function isValidSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/** INVALID_REQUEST unless `id` may name a session. */
export function checkSessionId(id: string): void {
  if (!isValidSessionId(id)) throw invalidRequest(INVALID_SESSION_ID);
}
