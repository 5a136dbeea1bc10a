/**
 * Opens a URL in the user's browser with the platform's own opener, spawned detached and
 * without a shell, so nothing in the URL is ever interpreted as a command.
 */
import { spawn } from 'node:child_process';

/** The opener program and its arguments for `url` on `platform`. */
export function openerFor(
  platform: NodeJS.Platform,
  url: string,
): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') {
    // `start` is a cmd built-in; its first quoted argument is a window title, hence `""`.
    // `^` escapes the one cmd metacharacter a URL can carry here.
    return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  }
  return { command: 'xdg-open', args: [url] };
}

/** Spawns the opener and resolves once it started; rejects when it cannot be run at all. */
export function openInBrowser(url: string, options: { platform: NodeJS.Platform }): Promise<void> {
  const { command, args } = openerFor(options.platform, url);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: 'ignore',
      shell: false,
      windowsHide: true,
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`could not run ${command} (${error.code ?? error.message})`)),
    );
    child.once('spawn', () => {
      // The browser outlives us: do not keep this process alive for it.
      child.unref();
      resolve();
    });
  });
}
