/**
 * `<config>.lock`: one writer of the config file at a time across processes (the gateway,
 * the CLI, a second CLI), so that no read-modify-write overwrites another's edit. The file
 * is created with O_EXCL and holds the holder's PID; a lock whose holder is gone is taken
 * over, and a live holder is waited for, up to a bound, then named.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { isAlive } from '../gateway/gateway-lock.js';
import { unavailable, type GatewayError } from '../../shared/errors.js';
import { EXIT } from '../../shared/exit-codes.js';

/** The limits of the config lock; {@link DEFAULT_CONFIG_LOCK_LIMITS} holds the defaults. */
export interface ConfigLockLimits {
  /** How long a writer waits for a live holder before it gives up naming the holder. */
  waitMs: number;
  /** Pause between two attempts; up to as much again is added at random, so waiters do not step in time. */
  retryMs: number;
  /** A lock file without a readable PID this old is a leftover of a writer killed while creating it. */
  unreadableGraceMs: number;
}

/** The defaults: an edit takes milliseconds, so 10 s of waiting means the holder is stuck. */
export const DEFAULT_CONFIG_LOCK_LIMITS: Readonly<ConfigLockLimits> = {
  waitMs: 10_000,
  retryMs: 10,
  unreadableGraceMs: 2_000,
};

/** The lock stayed taken by live processes for longer than a writer waits. */
export class ConfigLockTimeoutError extends Error {
  readonly exitCode = EXIT.failure;
  readonly #who: string;

  constructor(
    readonly lockPath: string,
    readonly pid: number | undefined,
    waitedMs: number,
  ) {
    const who = pid === undefined ? 'another process' : `PID ${pid}`;
    super(
      `the config file is being edited by ${who}: no turn within ${waitedMs / 1000} s ` +
        `(lock ${lockPath}); try again when it is done` +
        (pid === undefined ? '' : `, or, if PID ${pid} is not special-agent, remove the lock file`),
    );
    this.name = 'ConfigLockTimeoutError';
    this.#who = who;
  }

  /** The wire form: `UNAVAILABLE` (retry later), naming the holder but no path. */
  toGatewayError(): GatewayError {
    return unavailable(
      `the config file is being edited by ${this.#who}; try again when it is done (nothing was changed)`,
      this.pid === undefined ? undefined : { pid: this.pid },
    );
  }
}

/** Locks this process holds now: a lock naming this PID that is not here is a leftover. */
const heldHere = new Set<string>();

interface Holder {
  pid: number | undefined;
  ageMs: number;
}

/**
 * Runs `task` holding the lock file `lockPath`, and removes the lock afterwards, also when
 * `task` throws. `fileForErrors` is named instead of the lock in a storage error (a full
 * disk is about the config, not about its lock).
 */
export async function withConfigLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: { limits?: Partial<ConfigLockLimits>; fileForErrors?: string; now?: () => number } = {},
): Promise<T> {
  const limits = { ...DEFAULT_CONFIG_LOCK_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const release = await acquire(lockPath, limits, now).catch((error: unknown) => {
    const errno = error as NodeJS.ErrnoException;
    if (options.fileForErrors && errno?.path === lockPath) errno.path = options.fileForErrors;
    throw error;
  });
  try {
    return await task();
  } finally {
    await release();
  }
}

async function acquire(
  lockPath: string,
  limits: ConfigLockLimits,
  now: () => number,
): Promise<() => Promise<void>> {
  const deadline = now() + limits.waitMs;
  for (;;) {
    const release = await tryCreate(lockPath);
    if (release) return release;
    const holder = await inspect(lockPath, now);
    if (holder === undefined) continue; // let go meanwhile
    if (isStale(lockPath, holder, limits)) {
      await breakStale(lockPath, limits, now);
      continue;
    }
    if (now() >= deadline) throw new ConfigLockTimeoutError(lockPath, holder.pid, limits.waitMs);
    await sleep(limits.retryMs * (1 + Math.random()));
  }
}

/** Creates the lock with O_EXCL; undefined when it exists. */
async function tryCreate(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  let ino: number;
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, startedAtMs: Date.now() }));
    ino = (await handle.stat()).ino;
  } catch (error) {
    // A lock we could not finish (a full disk) must not block the next writer.
    await handle.close().catch(() => undefined);
    await rm(lockPath, { force: true });
    (error as NodeJS.ErrnoException).path ??= lockPath;
    throw error;
  }
  await handle.close();
  // Taken over while we were writing it (we looked stale: see unreadableGraceMs)? Then not ours.
  if ((await stat(lockPath).catch(() => undefined))?.ino !== ino) return undefined;
  heldHere.add(lockPath);
  return async () => {
    heldHere.delete(lockPath);
    // Only our own file: never one that replaced it.
    const current = await stat(lockPath).catch(() => undefined);
    if (current?.ino === ino) await rm(lockPath, { force: true });
  };
}

/** Who holds the lock and for how long; undefined when there is no lock file any more. */
async function inspect(lockPath: string, now: () => number): Promise<Holder | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { pid: pidIn(text), ageMs: Math.max(0, now() - info.mtimeMs) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function pidIn(text: string): number | undefined {
  try {
    const { pid } = JSON.parse(text) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // empty: its writer was killed between creating and writing it
  }
}

function isStale(lockPath: string, holder: Holder, limits: ConfigLockLimits): boolean {
  if (holder.pid === undefined) return holder.ageMs > limits.unreadableGraceMs;
  // Our PID, yet not held here: left by an earlier process that had this PID (a container restart).
  if (holder.pid === process.pid) return !heldHere.has(lockPath);
  return !isAlive(holder.pid);
}

/**
 * Removes a stale lock. Two writers may find the same stale lock: a second lock file
 * (`<lock>.break`, also O_EXCL) lets one of them at a time look again and remove it, so
 * that none removes the fresh lock the other has created meanwhile.
 */
async function breakStale(
  lockPath: string,
  limits: ConfigLockLimits,
  now: () => number,
): Promise<void> {
  const breakPath = `${lockPath}.break`;
  const release = await tryCreate(breakPath);
  if (!release) {
    // Another writer is breaking it now, or died doing so (a moment's window).
    const breaker = await inspect(breakPath, now);
    if (breaker && isStale(breakPath, breaker, limits)) await rm(breakPath, { force: true });
    else await sleep(limits.retryMs);
    return;
  }
  try {
    const holder = await inspect(lockPath, now);
    if (holder && isStale(lockPath, holder, limits)) await rm(lockPath, { force: true });
  } finally {
    await release();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
