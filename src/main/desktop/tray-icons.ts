/**
 * Which image file shows which tray state. macOS menu bars want monochrome "template"
 * images that the OS tints for light/dark mode; the states that must stand out
 * (pending, error) stay in colour there too.
 */
import { join } from 'node:path';
import type { TrayIcon } from './tray-model.js';

const FILES: Record<TrayIcon, string> = {
  running: 'tray.png',
  pending: 'tray-pending.png',
  error: 'tray-error.png',
  stopped: 'tray-stopped.png',
};

/**
 * Path of the tray image for `icon` under `assetsDir`. Electron picks up the `@2x`
 * sibling on high-DPI screens by itself.
 */
export function trayIconPath(assetsDir: string, icon: TrayIcon, platform: NodeJS.Platform): string {
  if (platform === 'darwin' && (icon === 'running' || icon === 'stopped')) {
    return join(assetsDir, 'tray', 'trayTemplate.png');
  }
  return join(assetsDir, 'tray', FILES[icon]);
}

/** The app icon for windows and notifications. */
export function appIconPath(assetsDir: string): string {
  return join(assetsDir, 'icons', '256x256.png');
}
