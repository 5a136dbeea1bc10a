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

/**
 * How long the opener may run before it counts as having handed the URL on: xdg-open and
 * open return at once when they did (or fail at once, e.g. exit 3 with no browser); one
 * that runs the browser itself keeps running, and that is success too.
 */
export const OPENER_VERDICT_MS = 3_000;

/**
 * Spawns the opener and resolves once it exited 0 or is still running after
 * {@link OPENER_VERDICT_MS}; rejects when it cannot be run or exits with another code.
 */
export function openInBrowser(
  url: string,
  options: { platform: NodeJS.Platform; verdictMs?: number },
): Promise<void> {
  const { command, args } = openerFor(options.platform, url);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: 'ignore',
      shell: false,
      windowsHide: true,
    });
    let timer: NodeJS.Timeout | undefined;
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`could not run ${command} (${error.code ?? error.message})`)),
    );
    child.once('spawn', () => {
      timer = setTimeout(() => {
        // Still running: it has the URL. The browser outlives us; do not wait for it.
        child.unref();
        resolve();
      }, options.verdictMs ?? OPENER_VERDICT_MS);
      timer.unref();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} could not open a browser (exit ${code ?? signal})`));
    });
  });
}
