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
  /** Extra arguments, e.g. the app folder when running unpackaged from a checkout. */
  args?: readonly string[];
  name?: string;
}

/** Desktop Entry quoting: a path with spaces (or quotes) survives as one argument. */
function quoteExecArg(arg: string): string {
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart `.desktop` file that launches `execPath args…`. */
export function autostartDesktopEntry(
  execPath: string,
  name: string,
  args: readonly string[] = [],
): string {
  const exec = [execPath, ...args].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name}`,
    'Comment=Tray app and loopback gateway for a personal AI agent',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Reads and toggles the autostart entry. */
export class LinuxAutostart {
  readonly #file: string;
  readonly #execPath: string;
  readonly #args: readonly string[];
  readonly #name: string;

  constructor(options: LinuxAutostartOptions) {
    this.#name = options.name ?? 'special-agent';
    const configHome = options.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.#file = join(configHome, 'autostart', `${this.#name}.desktop`);
    this.#execPath = options.execPath;
    this.#args = options.args ?? [];
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
    await writeFileAtomic(
      this.#file,
      autostartDesktopEntry(this.#execPath, this.#name, this.#args),
      {
        mode: 0o644,
      },
    );
  }
}
