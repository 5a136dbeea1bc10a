/**
 * Options of the Control UI window. The UI is a web page from the gateway's own origin,
 * so the window gets the browser's sandbox and nothing more: no Node, no preload bridge
 * (the UI talks to the gateway over the same WebSocket protocol as any browser).
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { DEFAULT_DESKTOP_OPTIONS, type DesktopOptions } from './desktop-options.js';

export interface ControlUiWindowInput {
  /** Window icon (Linux/Windows task switcher); macOS takes the bundle icon. */
  iconPath?: string;
  size?: Pick<
    DesktopOptions,
    'windowWidth' | 'windowHeight' | 'windowMinWidth' | 'windowMinHeight'
  >;
}

/** BrowserWindow options: isolated, sandboxed, no Node, web security on, hidden until ready. */
export function controlUiWindowOptions(
  input: ControlUiWindowInput = {},
): BrowserWindowConstructorOptions {
  const size = input.size ?? DEFAULT_DESKTOP_OPTIONS;
  return {
    title: 'special-agent',
    width: size.windowWidth,
    height: size.windowHeight,
    minWidth: size.windowMinWidth,
    minHeight: size.windowMinHeight,
    // Shown on 'ready-to-show' so the user never sees a white flash.
    show: false,
    autoHideMenuBar: true,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
