/**
 * The colour theme: the OS setting ("system") or a choice that sticks in localStorage.
 * Applied as `data-theme="light|dark"` on <html>, which theme.css reads. main.tsx builds
 * the controller before React renders, so the first frame already has the theme: the
 * CSP (`script-src 'self'`) forbids the usual inline script in index.html.
 */
import type { PreferenceStore } from './preference-store.js';

export const THEME_MODES = ['system', 'light', 'dark'] as const;
export type ThemeMode = (typeof THEME_MODES)[number];
export type Theme = 'light' | 'dark';

/** The localStorage key of the choice. */
export const THEME_KEY = 'special-agent.theme';
export const DARK_QUERY = '(prefers-color-scheme: dark)';

/** A stored value as a mode; anything unknown (or nothing) follows the OS. */
export function parseThemeMode(stored: string | undefined): ThemeMode {
  return (THEME_MODES as readonly string[]).includes(stored ?? '')
    ? (stored as ThemeMode)
    : 'system';
}

/** The theme shown for `mode` while the OS prefers dark (`systemDark`) or not. */
export function resolveTheme(mode: ThemeMode, systemDark: boolean): Theme {
  if (mode === 'system') return systemDark ? 'dark' : 'light';
  return mode;
}

/** The part of `MediaQueryList` used here. */
export interface MediaQueryLike {
  readonly matches: boolean;
  addEventListener(type: 'change', listener: () => void): void;
}

export interface ThemeDeps {
  store: PreferenceStore;
  /** `window.matchMedia(DARK_QUERY)`. */
  systemDark: MediaQueryLike;
  /** Receives the resolved theme (sets `data-theme` on <html>). */
  apply: (theme: Theme) => void;
}

/** Holds the mode, applies it at once and whenever the OS setting changes under "system". */
export class ThemeController {
  readonly #deps: ThemeDeps;
  readonly #watchers = new Set<() => void>();
  #mode: ThemeMode;

  constructor(deps: ThemeDeps) {
    this.#deps = deps;
    this.#mode = parseThemeMode(deps.store.get(THEME_KEY));
    this.#apply();
    deps.systemDark.addEventListener('change', () => {
      if (this.#mode === 'system') this.#apply();
    });
  }

  readonly subscribe = (watcher: () => void): (() => void) => {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  };

  readonly getSnapshot = (): ThemeMode => this.#mode;

  /** Shows `mode` now and keeps it for the next visit. */
  setMode(mode: ThemeMode): void {
    this.#mode = mode;
    this.#deps.store.set(THEME_KEY, mode);
    this.#apply();
    for (const watcher of this.#watchers) watcher();
  }

  #apply(): void {
    this.#deps.apply(resolveTheme(this.#mode, this.#deps.systemDark.matches));
  }
}
