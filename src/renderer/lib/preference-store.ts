/**
 * This browser's UI preferences (theme, notifications) in localStorage. Storage may be
 * off or full (a private window, a policy): a preference then lasts for this page only,
 * and nothing throws.
 */
import type { KeyValueStore } from './session-secrets.js';

/** Reads and writes that never throw. */
export interface PreferenceStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** `storage` (normally `localStorage`) behind {@link PreferenceStore}; undefined: memory only. */
export function preferenceStore(storage: KeyValueStore | undefined): PreferenceStore {
  const memory = new Map<string, string>();
  return {
    get(key) {
      if (memory.has(key)) return memory.get(key);
      try {
        return storage?.getItem(key) ?? undefined;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        storage?.setItem(key, value);
      } catch {
        // Kept in memory above: the choice holds until the page is closed.
      }
    },
  };
}
