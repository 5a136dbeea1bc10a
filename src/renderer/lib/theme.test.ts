import { describe, expect, it } from 'vitest';
import { preferenceStore } from './preference-store.js';
import type { KeyValueStore } from './session-secrets.js';
import type { MediaQueryLike, Theme } from './theme.js';
import { parseThemeMode, resolveTheme, THEME_KEY, ThemeController } from './theme.js';

function memoryStore(initial: Record<string, string> = {}): KeyValueStore {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

/** An OS colour setting the test can flip, like `matchMedia('(prefers-color-scheme: dark)')`. */
function osSetting(dark: boolean) {
  const listeners: (() => void)[] = [];
  const media: MediaQueryLike & { set(dark: boolean): void } = {
    matches: dark,
    addEventListener: (_type, listener) => void listeners.push(listener),
    set(next) {
      (this as { matches: boolean }).matches = next;
      for (const listener of listeners) listener();
    },
  };
  return media;
}

function controller(storage: KeyValueStore, os: MediaQueryLike) {
  const applied: Theme[] = [];
  const theme = new ThemeController({
    store: preferenceStore(storage),
    systemDark: os,
    apply: (resolved) => applied.push(resolved),
  });
  return { theme, applied };
}

describe('theme resolution', () => {
  it('System follows the OS; Light and Dark override it', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads a stored choice, and anything else as System', () => {
    expect(parseThemeMode('dark')).toBe('dark');
    expect(parseThemeMode('light')).toBe('light');
    expect(parseThemeMode(undefined)).toBe('system');
    expect(parseThemeMode('Dark')).toBe('system');
    expect(parseThemeMode('{"mode":"dark"}')).toBe('system');
  });
});

describe('ThemeController', () => {
  it('applies the stored choice as soon as it is built, before anything renders', () => {
    const { theme, applied } = controller(memoryStore({ [THEME_KEY]: 'light' }), osSetting(true));
    expect(theme.getSnapshot()).toBe('light');
    expect(applied).toEqual(['light']);
  });

  it('keeps a choice in storage for the next visit and applies it at once', () => {
    const storage = memoryStore();
    const { theme, applied } = controller(storage, osSetting(false));
    theme.setMode('dark');
    expect(applied).toEqual(['light', 'dark']);
    expect(storage.getItem(THEME_KEY)).toBe('dark');
    expect(controller(storage, osSetting(false)).applied).toEqual(['dark']);
  });

  it('follows the OS while on System, and ignores it under an explicit choice', () => {
    const os = osSetting(false);
    const { theme, applied } = controller(memoryStore(), os);
    os.set(true);
    expect(applied).toEqual(['light', 'dark']);
    theme.setMode('light');
    os.set(false);
    os.set(true);
    expect(applied).toEqual(['light', 'dark', 'light']);
  });

  it('still switches when storage refuses writes (the choice lasts for this page)', () => {
    const refusing: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const { theme, applied } = controller(refusing, osSetting(false));
    theme.setMode('dark');
    expect(theme.getSnapshot()).toBe('dark');
    expect(applied).toEqual(['light', 'dark']);
  });
});
