/**
 * The real session files (node:fs `open`), with a handle's `writeFile` or `sync` wrapped:
 * how the durability and concurrency tests watch, hold or fail the store's disk steps.
 */
import { open } from 'node:fs/promises';
import type { SessionFs } from './session-fs.js';

export interface SessionFsHooks {
  /** Instead of the write; `real` does it. */
  writeFile?: (real: () => Promise<void>, data: string, path: string) => Promise<void>;
  /** Instead of the fsync; `real` does it. `flags` is `'r'` for a folder. */
  sync?: (real: () => Promise<void>, path: string, flags: string) => Promise<void>;
}

export function sessionFsWith(hooks: SessionFsHooks): SessionFs {
  return {
    async open(path, flags, mode) {
      const handle = await open(path, flags, mode);
      const write = (data: string) => handle.writeFile(data);
      const sync = () => handle.sync();
      return {
        writeFile: (data) =>
          hooks.writeFile ? hooks.writeFile(() => write(data), data, path) : write(data),
        truncate: (length) => handle.truncate(length),
        sync: () => (hooks.sync ? hooks.sync(sync, path, flags) : sync()),
        close: () => handle.close(),
      };
    },
  };
}
