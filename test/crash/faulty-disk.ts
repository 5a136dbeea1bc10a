/**
 * Faults for the crash suite: a small tmpfs that can be filled or remounted read-only
 * (we run as root on the CI machines), and — where mounting is not allowed — ENOSPC
 * injected at the fs layer of this process.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Size of the tmpfs: room for a config, a pairing store and a lock, not much more. */
export const TMPFS_SIZE = '256k';

/** A folder that is a fresh tmpfs when the machine allows mounting, else a plain temp folder. */
export class ScratchMount {
  private constructor(
    readonly dir: string,
    readonly mounted: boolean,
    readonly mountError: string | undefined,
  ) {}

  static async create(): Promise<ScratchMount> {
    const dir = await mkdtemp(join(tmpdir(), 'sa-fault-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir]);
      return new ScratchMount(dir, true, undefined);
    } catch (error) {
      return new ScratchMount(
        dir,
        false,
        error instanceof Error ? error.message.split('\n')[0] : String(error),
      );
    }
  }

  /** Fills the tmpfs to the last byte; returns a function that frees the space again. */
  async fill(): Promise<() => Promise<void>> {
    const filler = join(this.dir, 'filler');
    const handle = await open(filler, 'w');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (;;) await handle.write(chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
    // Whatever is left over (under a page) goes too.
    try {
      for (;;) await handle.write(Buffer.alloc(1));
    } catch {
      // full
    } finally {
      await handle.close();
    }
    return () => rm(filler, { force: true });
  }

  async readOnly(on: boolean): Promise<void> {
    await run('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, this.dir]);
  }

  async dispose(): Promise<void> {
    if (this.mounted) await run('umount', [this.dir]).catch(() => run('umount', ['-l', this.dir]));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Makes every file this process opens for writing under `under` fail its writes with
 * ENOSPC, as a full disk would. Returns the function that undoes it.
 */
export function injectEnospc(under: string): () => void {
  const original = fs.promises.open;
  const patched = async (...args: Parameters<typeof original>) => {
    const handle = await original(...args);
    const [path, flags] = args;
    if (String(path).startsWith(under) && /[wa+]/.test(String(flags ?? 'r'))) {
      const enospc = () =>
        Promise.reject(
          Object.assign(new Error(`ENOSPC: no space left on device, write`), {
            code: 'ENOSPC',
            errno: -28,
            syscall: 'write',
          }),
        );
      handle.writeFile = enospc;
      handle.write = enospc;
    }
    return handle;
  };
  fs.promises.open = patched;
  syncBuiltinESMExports();
  return () => {
    fs.promises.open = original;
    syncBuiltinESMExports();
  };
}
