import { EXIT } from '../../shared/exit-codes.js';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { storageFix } from '../fs/storage-errors.js';

/** Another gateway already runs on this home. Exit 1: nothing is wrong with the config. */
export class GatewayLockedError extends Error {
  readonly exitCode = EXIT.failure;
  constructor(
    readonly lockPath: string,
    readonly pid: number,
    /** The port it listens on, once it does (the tray then opens that gateway's UI). */
    readonly port?: number,
    /** Its URL once it listens (`http://127.0.0.1:18789/`, `https://…` with TLS). */
    readonly url?: string,
  ) {
    super(
      `another gateway (PID ${pid}) is already running on this home (lock: ${lockPath}); ` +
        'stop it first, or use another SPECIAL_AGENT_HOME',
    );
    this.name = 'GatewayLockedError';
  }
}

interface LockContent {
  pid: number;
  startedAtMs: number;
  port?: number;
  url?: string;
}

/**
 * `<home>/state/gateway.lock`: one gateway per home. Holds the owner's PID; a lock whose
 * process is gone is stale and taken over.
 */
export class GatewayLock {
  readonly #path: string;
  readonly #startedAtMs: number;
  #released = false;

  private constructor(path: string, startedAtMs: number) {
    this.#path = path;
    this.#startedAtMs = startedAtMs;
  }

  static async acquire(path: string, now: number): Promise<GatewayLock> {
    try {
      return await GatewayLock.#acquire(path, now);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof GatewayLockedError || typeof code !== 'string') throw error;
      // The first write under <home> at start: a raw EACCES/EEXIST/EISDIR says nothing of the fix.
      const fix =
        storageFix(code) ??
        `make ${dirname(path)} a folder you can write (with no folder named gateway.lock in it), or set SPECIAL_AGENT_HOME to one`;
      throw new Error(`cannot take the gateway lock ${path}: ${fix} (${code})`, { cause: error });
    }
  }

  static async #acquire(path: string, now: number): Promise<GatewayLock> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const handle = await open(path, 'wx', 0o600);
        try {
          await handle.writeFile(
            JSON.stringify({ pid: process.pid, startedAtMs: now } satisfies LockContent),
          );
        } finally {
          await handle.close();
        }
        return new GatewayLock(path, now);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const lock = await readLock(path);
        const holder = lock?.pid;
        if (holder !== undefined && holder !== process.pid && isAlive(holder))
          throw new GatewayLockedError(path, holder, lock?.port, lock?.url);
        await rm(path, { force: true });
      }
    }
    throw new Error(`could not take the gateway lock ${path}`);
  }

  /**
   * Adds the port the gateway listens on, so `gateway status` can tell a gateway still on
   * its old port after `gateway.port` changed from no gateway at all.
   */
  async recordPort(port: number, url?: string): Promise<void> {
    if (this.#released) return;
    const content: LockContent = {
      pid: process.pid,
      startedAtMs: this.#startedAtMs,
      port,
      ...(url === undefined ? {} : { url }),
    };
    // Replaced in one rename: a starting gateway never reads a half-written lock as stale.
    const temp = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(content), { mode: 0o600 });
    await rename(temp, this.#path);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const holder = await readHolder(this.#path);
    if (holder === process.pid) await rm(this.#path, { force: true });
  }
}

/**
 * Removes the lock at `path` if this process holds it. A restart keeps the lock across
 * stop and start; when that start then fails, the process that goes on living (the tray
 * app) must not keep the home locked with no gateway running.
 */
export async function releaseLockIfOurs(path: string): Promise<void> {
  if ((await readHolder(path)) === process.pid) await rm(path, { force: true });
}

/** The PID in a lock file, for `gateway status` and for takeover. */
export async function readHolder(path: string): Promise<number | undefined> {
  return (await readLock(path))?.pid;
}

/** The holder's PID and, once it listens, its port; undefined for a missing or bad file. */
export async function readLock(
  path: string,
): Promise<{ pid: number; port?: number; url?: string } | undefined> {
  try {
    const content = JSON.parse(await readFile(path, 'utf8')) as Partial<LockContent>;
    if (typeof content.pid !== 'number' || !Number.isInteger(content.pid)) return undefined;
    const port = content.port;
    const url = typeof content.url === 'string' ? { url: content.url } : {};
    return typeof port === 'number' && Number.isInteger(port) && port > 0
      ? { pid: content.pid, port, ...url }
      : { pid: content.pid };
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
