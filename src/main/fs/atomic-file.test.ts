import {
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  mkdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TEMP_FILE_MARKER,
  writeFileAtomic,
  type AtomicWriteFs,
  type AtomicWriteHandle,
} from './atomic-file.js';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'special-agent-atomic-'));
  folders.push(folder);
  return folder;
}

/** Names a path for the log: the target, its folder, or the temp file beside it. */
function nameFor(target: string, path: string): string {
  if (path === target) return 'target';
  if (path === dirname(target)) return 'folder';
  if (dirname(path) === dirname(target) && basename(path).startsWith(TEMP_FILE_MARKER))
    return 'temp';
  return path;
}

/**
 * The real node:fs/promises, with every call the write makes logged in order as
 * `<call> <which file>` (e.g. `fsync temp`); `failSync` makes the temp file's fsync fail.
 */
function recordingFs(target: string, options: { failSync?: boolean } = {}) {
  const calls: string[] = [];
  const name = (path: string) => nameFor(target, path);
  const octal = (mode: number) => `0${mode.toString(8)}`;
  const fs: AtomicWriteFs = {
    async open(path, flags, mode) {
      calls.push(`open(${flags}${mode === undefined ? '' : `, ${octal(mode)}`}) ${name(path)}`);
      const handle = await open(path, flags, mode);
      const which = name(path);
      return {
        writeFile(data) {
          calls.push(`write ${which}`);
          return handle.writeFile(data);
        },
        chmod(m) {
          calls.push(`chmod(${octal(m)}) ${which}`);
          return handle.chmod(m);
        },
        sync() {
          calls.push(`fsync ${which}`);
          if (options.failSync && which === 'temp')
            return Promise.reject(
              Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }),
            );
          return handle.sync();
        },
        close() {
          calls.push(`close ${which}`);
          return handle.close();
        },
      } satisfies AtomicWriteHandle;
    },
    rename(from, to) {
      calls.push(`rename ${name(from)} → ${name(to)}`);
      return rename(from, to);
    },
    rm(path, rmOptions) {
      calls.push(`rm ${name(path)}`);
      return rm(path, rmOptions);
    },
    mkdir(path, mkdirOptions) {
      calls.push(`mkdir ${name(path)}`);
      return mkdir(path, mkdirOptions);
    },
  };
  return { fs, calls };
}

/** The calls that make the write durable, in the order they happened. */
const durabilitySteps = (calls: string[]) =>
  calls.filter((call) => /^(write|fsync|rename|open\(r\))/.test(call));

describe('writeFileAtomic', () => {
  it('writes the temp file, fsyncs it, renames it over the target, then fsyncs the folder', async () => {
    const target = join(await tempFolder(), 'devices.json');
    await writeFile(target, 'old');
    const { fs, calls } = recordingFs(target);
    await writeFileAtomic(target, 'new', { fs });
    expect(durabilitySteps(calls), 'durability steps in order').toEqual([
      'write temp',
      'fsync temp',
      'rename temp → target',
      'open(r) folder',
      'fsync folder',
    ]);
    expect(calls, 'every handle opened is closed').toEqual(
      expect.arrayContaining(['close temp', 'close folder']),
    );
    expect(calls.indexOf('close temp'), 'temp closed before the rename').toBeLessThan(
      calls.indexOf('rename temp → target'),
    );
    expect(await readFile(target, 'utf8')).toBe('new');
  });

  it('creates the temp file exclusively with mode 0600 and leaves the target 0600, even over a 0644 file', async () => {
    const target = join(await tempFolder(), 'devices.json');
    await writeFile(target, 'old', { mode: 0o644 });
    const { fs, calls } = recordingFs(target);
    await writeFileAtomic(target, 'new', { fs });
    expect(calls, 'how the temp file is opened').toContain('open(wx, 0600) temp');
    expect((await stat(target)).mode & 0o777, 'mode of the written file').toBe(0o600);
  });

  it('keeps a mode the caller asks for', async () => {
    const target = join(await tempFolder(), 'config.json5');
    await writeFileAtomic(target, '{}', { mode: 0o640 });
    expect((await stat(target)).mode & 0o777).toBe(0o640);
  });

  it('keeps the old content and leaves no temp file when the fsync fails, naming the target', async () => {
    const folder = await tempFolder();
    const target = join(folder, 'devices.json');
    await writeFile(target, 'old');
    const { fs, calls } = recordingFs(target, { failSync: true });
    await expect(writeFileAtomic(target, 'new', { fs })).rejects.toMatchObject({
      code: 'EIO',
      path: target,
    });
    expect(calls, 'no rename after a failed fsync').not.toContain('rename temp → target');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(folder)).toEqual(['devices.json']);
  });
});
