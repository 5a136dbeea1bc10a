/**
 * What the page's polite live region says (components/live-region.tsx): new pairing
 * requests, the state of a chat answer, a reconnect. Each message is a new node in the
 * region, so a screen reader reads it even when the same words come twice.
 */

export interface Announcement {
  readonly id: number;
  readonly text: string;
}

/** How many messages stay in the region; older ones were read already. */
export const MAX_ANNOUNCEMENTS = 3;

/** A small store of the latest announcements, for `useSyncExternalStore`. */
export class Announcer {
  readonly #watchers = new Set<() => void>();
  #items: readonly Announcement[] = [];
  #next = 1;

  readonly subscribe = (watcher: () => void): (() => void) => {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  };

  readonly getSnapshot = (): readonly Announcement[] => this.#items;

  /** Says `text` politely (after what the screen reader is reading now); blank is ignored. */
  readonly announce = (text: string): void => {
    const trimmed = text.trim();
    if (!trimmed) return;
    this.#items = [...this.#items, { id: this.#next++, text: trimmed }].slice(-MAX_ANNOUNCEMENTS);
    for (const watcher of this.#watchers) watcher();
  };
}
