/**
 * The editor's cross-process lock (`<config>.lock`) and its `baseHash` check, on real files
 * and real processes: a live holder is waited for and then named, a dead one is taken over,
 * and an edit on a stale hash changes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import type { ConfigLockTimeoutError } from './config-lock.js';
import { ConfigEditor } from './edit.js';
import { resolvePaths, type AppPaths } from './paths.js';

const FILE = `// mine
{
  gateway: {
    port: 18789, // keep
  },
}
`;
/** Short, so the test of a holder that never lets go ends quickly. */
const WAIT_MS = 300;

let root: string;
let paths: AppPaths;
let lockPath: string;
let sleeper: ChildProcess | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sa-config-lock-'));
  paths = resolvePaths({ SPECIAL_AGENT_HOME: join(root, 'home') });
  lockPath = `${paths.config}.lock`;
  await mkdir(dirname(paths.config), { recursive: true });
  await writeFile(paths.config, FILE);
});
afterEach(async () => {
  sleeper?.kill('SIGKILL');
  sleeper = undefined;
  await rm(root, { recursive: true, force: true });
});

const editor = () => new ConfigEditor({ paths, lock: { waitMs: WAIT_MS } });
const writeLock = (pid: number) =>
  writeFile(lockPath, JSON.stringify({ pid, startedAtMs: Date.now() }));
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const sha256 = async () =>
  createHash('sha256')
    .update(await readFile(paths.config))
    .digest('hex');

/** A live process that is not this one. */
async function livePid(): Promise<number> {
  sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  await once(sleeper, 'spawn');
  return sleeper.pid!;
}

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('the config lock', () => {
  it('waits for a lock held by a live process, then fails naming its PID, leaving the file and the lock alone', async () => {
    const pid = await livePid();
    await writeLock(pid);
    const error = await editor()
      .set('gateway.port', 19001)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error, 'the edit fails').toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`PID ${pid}`);
    expect((error as Error).message).toContain(lockPath);
    const wire = (error as ConfigLockTimeoutError).toGatewayError();
    expect(wire, 'the wire form').toMatchObject({ code: 'UNAVAILABLE', details: { pid } });
    expect(wire.message, 'the wire form names no path').not.toContain(root);
    expect(await readFile(paths.config, 'utf8'), 'the file').toBe(FILE);
    expect(await exists(lockPath), 'the live process keeps its lock').toBe(true);
  });

  it('goes ahead as soon as the holder lets go', async () => {
    await writeLock(await livePid());
    const edit = editor().set('gateway.port', 19001);
    setTimeout(() => void rm(lockPath, { force: true }), WAIT_MS / 3);
    await edit;
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001, // keep');
  });

  it('takes over a lock left by a process that died, and removes it after the edit', async () => {
    await writeLock(await deadPid());
    await editor().set('gateway.port', 19001);
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001, // keep');
    expect(await exists(lockPath), 'the lock file after the edit').toBe(false);
  });

  it('takes over a lock naming this PID that this process does not hold (a PID reused after a restart)', async () => {
    await writeLock(process.pid);
    await editor().set('gateway.port', 19001);
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001, // keep');
    expect(await exists(lockPath), 'the lock file after the edit').toBe(false);
  });

  it('takes over an old lock file with no PID in it (a writer killed while creating it)', async () => {
    await writeFile(lockPath, '');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath, longAgo, longAgo);
    await editor().set('gateway.port', 19001);
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001, // keep');
  });

  it('releases the lock when an edit is refused, so the next one goes through', async () => {
    const first = editor();
    await expect(first.set('gateway.port', 'eighty')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(await exists(lockPath), 'the lock file after the refused edit').toBe(false);
    await editor().set('gateway.port', 19001);
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001');
  });
});

describe('baseHash', () => {
  it('refuses an edit on a stale baseHash with CONFLICT and leaves the file byte-identical', async () => {
    const loaded = await sha256();
    await writeFile(paths.config, FILE.replace('// keep', '// edited elsewhere'));
    const before = await sha256();
    await expect(
      editor().applyEdits([{ path: 'gateway.port', value: 19001 }], { baseHash: loaded }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'the config file changed since it was loaded (reload and try again)',
    });
    expect(await sha256(), 'the file after the refused edit').toBe(before);
  });

  it('applies an edit on the current hash and answers the hash of what it wrote', async () => {
    const result = await editor().applyEdits([{ path: 'gateway.port', value: 19001 }], {
      baseHash: await sha256(),
    });
    expect(result.hash).toBe(await sha256());
  });

  it('takes "absent" as the hash of a missing file', async () => {
    await rm(paths.config);
    const result = await editor().applyEdits([{ path: 'gateway.port', value: 19001 }], {
      baseHash: 'absent',
    });
    expect(result.hash).toBe(await sha256());
    await expect(
      editor().applyEdits([{ path: 'gateway.port', value: 19002 }], { baseHash: 'absent' }),
      '"absent" once the file exists',
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('within expecting(), refuses a second write when someone else wrote in between', async () => {
    const mine = editor();
    const outcome = mine.expecting(await sha256(), async () => {
      await mine.set('gateway.port', 19001);
      await writeFile(paths.config, FILE.replace('// keep', '// edited elsewhere'));
      await mine.set('gateway.bind', 'lan');
    });
    await expect(outcome).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await readFile(paths.config, 'utf8')).toBe(
      FILE.replace('// keep', '// edited elsewhere'),
    );
  });

  it('within expecting(), lets a call write twice and answers the hash after its last write', async () => {
    const mine = editor();
    const { hash } = await mine.expecting(await sha256(), async () => {
      await mine.set('gateway.port', 19001);
      await mine.set('gateway.pairing.pendingTtlSeconds', 120);
    });
    expect(hash).toBe(await sha256());
    expect(await readFile(paths.config, 'utf8')).toMatch(
      /port: 19001[\s\S]*pendingTtlSeconds: 120/,
    );
  });

  it('within expecting(), a nested expecting() runs under the outer lock instead of waiting for it', async () => {
    const mine = editor();
    const { value } = await within(
      OUTCOME_WAIT_MS,
      mine.expecting(await sha256(), () =>
        mine.expecting(undefined, () => mine.set('gateway.port', 19001)),
      ),
      'the nested expecting() to finish',
    );
    expect(value.hash).toBe(await sha256());
    expect(await readFile(paths.config, 'utf8')).toContain('port: 19001, // keep');
  });
});
