/**
 * Every limit and tunable of the desktop shell, with its default in this one place
 * (STYLE.md: every limit is a named option).
 */
export interface DesktopOptions {
  /** How long to wait for another process's `/healthz` when our port is taken. */
  healthzTimeoutMs: number;
  /** How often the tray re-renders so request ages ("2 min ago") stay true. */
  trayRefreshIntervalMs: number;
  /** Initial Control UI window size; the minimum keeps the Devices table readable. */
  windowWidth: number;
  windowHeight: number;
  windowMinWidth: number;
  windowMinHeight: number;
  /** Pending requests listed in the tray before the rest collapse into "…and N more". */
  maxTrayRequests: number;
}

export const DEFAULT_DESKTOP_OPTIONS: Readonly<DesktopOptions> = Object.freeze({
  healthzTimeoutMs: 1500,
  trayRefreshIntervalMs: 30_000,
  windowWidth: 1100,
  windowHeight: 760,
  windowMinWidth: 720,
  windowMinHeight: 480,
  maxTrayRequests: 10,
});

/** Defaults overlaid with the caller's choices. */
export function desktopOptions(overrides: Partial<DesktopOptions> = {}): DesktopOptions {
  return { ...DEFAULT_DESKTOP_OPTIONS, ...overrides };
}
