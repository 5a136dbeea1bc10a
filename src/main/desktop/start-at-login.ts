/**
 * "Start at login" per platform: Electron's login items on macOS and Windows, an XDG
 * autostart entry on Linux (where Electron's API is a no-op).
 */
import type { App } from 'electron';
import { LinuxAutostart } from './login-item.js';

export interface StartAtLoginDeps {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  execPath: string;
  /** Arguments the login launch needs: the app folder when running unpackaged. */
  args: readonly string[];
}

export class StartAtLogin {
  readonly #deps: StartAtLoginDeps;
  readonly #linux: LinuxAutostart | undefined;

  constructor(deps: StartAtLoginDeps) {
    this.#deps = deps;
    // An AppImage runs from a temporary mount; autostart must launch the image itself.
    const execPath = deps.env.APPIMAGE || deps.execPath;
    this.#linux =
      deps.platform === 'linux'
        ? new LinuxAutostart({ env: deps.env, execPath, args: deps.args })
        : undefined;
  }

  isEnabled(): boolean {
    if (this.#linux) return this.#linux.isEnabled();
    return this.#deps.app.getLoginItemSettings().openAtLogin;
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (this.#linux) {
      await this.#linux.setEnabled(enabled);
      return;
    }
    this.#deps.app.setLoginItemSettings({ openAtLogin: enabled, args: [...this.#deps.args] });
  }
}
