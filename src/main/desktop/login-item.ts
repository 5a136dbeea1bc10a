/**
 * "Start at login" on Linux, where Electron's app.setLoginItemSettings does nothing: an
 * XDG autostart entry (`$XDG_CONFIG_HOME/autostart/<name>.desktop`), which GNOME, KDE and
 * most desktops honour. macOS and Windows use Electron's own API (see start-at-login.ts).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';

export interface LinuxAutostartOptions {
  env: NodeJS.ProcessEnv;
  /** What the desktop session runs: the AppImage path when packaged as one, else the binary. */
  execPath: string;
  name?: string;
}

/** The autostart `.desktop` file; Exec is quoted so a path with spaces survives. */
export function autostartDesktopEntry(execPath: string, name: string): string {
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    'Comment=Tray app and loopback gateway for a personal AI agent',
    `Exec=${quoted}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Reads and toggles the autostart entry. */
export class LinuxAutostart {
  readonly #file: string;
  readonly #execPath: string;
  readonly #name: string;

  constructor(options: LinuxAutostartOptions) {
    this.#name = options.name ?? 'special-agent';
    const configHome = options.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.#file = join(configHome, 'autostart', `${this.#name}.desktop`);
    this.#execPath = options.execPath;
  }

  get file(): string {
    return this.#file;
  }

  isEnabled(): boolean {
    return existsSync(this.#file);
  }

  async setEnabled(enabled: boolean): Promise<void> {
    if (!enabled) {
      await rm(this.#file, { force: true });
      return;
    }
    await writeFileAtomic(this.#file, autostartDesktopEntry(this.#execPath, this.#name), {
      mode: 0o644,
    });
  }
}
