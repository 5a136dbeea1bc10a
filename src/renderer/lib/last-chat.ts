/**
 * Which chat session the Chat page shows, remembered across reloads in localStorage (per
 * origin, so per gateway). A session id is not a secret: it is only a name for history
 * the gateway shows to any operator with the read scope.
 */

const KEY = 'special-agent.chat.session';
/** The gateway's session id pattern (PROTOCOL.md `sessions.*`); anything else is ignored. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The remembered session id, if one is stored and well formed. */
export function readLastChat(storage: Pick<Storage, 'getItem'>): string | undefined {
  try {
    const value = storage.getItem(KEY);
    return value !== null && SESSION_ID.test(value) ? value : undefined;
  } catch {
    // Storage can be switched off; the page then simply starts with a new chat.
    return undefined;
  }
}

/** Remembers `sessionId`, or forgets it when undefined (a new or deleted chat). */
export function writeLastChat(
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  sessionId: string | undefined,
): void {
  try {
    if (sessionId === undefined) storage.removeItem(KEY);
    else storage.setItem(KEY, sessionId);
  } catch {
    // Best effort, as above.
  }
}
