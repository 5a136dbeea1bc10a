/**
 * The Control UI's per-browser services as React context: the theme, pairing
 * notifications and the live region's announcer. main.tsx builds them once.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Announcer } from '../lib/announcer.js';
import type { NotifierSnapshot, PairingNotifier } from '../lib/pairing-notifier.js';
import type { ThemeController, ThemeMode } from '../lib/theme.js';

export interface BrowserServices {
  theme: ThemeController;
  notifier: PairingNotifier;
  announcer: Announcer;
  /** The desktop app's window: its tray raises native pairing notifications already. */
  desktopApp: boolean;
}

export const BrowserServicesContext = createContext<BrowserServices | null>(null);

/** The app's browser services; throws outside the provider, which is a wiring bug. */
export function useBrowserServices(): BrowserServices {
  const services = useContext(BrowserServicesContext);
  if (!services) throw new Error('useBrowserServices outside BrowserServicesContext');
  return services;
}

/**
 * Says `text` in the page's polite live region, for screen readers: e.g.
 * `const announce = useAnnounce(); announce('Session deleted')`. This tab's chat answers
 * ("Answer streaming", "Answer complete", "Stopped") are announced already
 * (hooks/use-live-notices.ts): a page need not repeat them.
 */
export function useAnnounce(): (text: string) => void {
  return useBrowserServices().announcer.announce;
}

/** The theme mode and a setter that applies and keeps it. */
export function useThemeMode(): [ThemeMode, (mode: ThemeMode) => void] {
  const { theme } = useBrowserServices();
  const mode = useSyncExternalStore(theme.subscribe, theme.getSnapshot);
  return [mode, (next) => theme.setMode(next)];
}

/** Notification permission and setting, re-rendering when either changes. */
export function useNotifierState(): {
  notifier: PairingNotifier;
  state: NotifierSnapshot;
  desktopApp: boolean;
} {
  const { notifier, desktopApp } = useBrowserServices();
  const state = useSyncExternalStore(notifier.subscribe, notifier.getSnapshot);
  return { notifier, state, desktopApp };
}
