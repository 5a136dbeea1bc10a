/**
 * Bounded waits: a test that waits for an outcome (a close, an exit, an event) fails within
 * seconds with a message naming what it waited for, instead of at vitest's 30 s timeout
 * with only "Test timed out".
 */

/** Generous on a loaded machine, yet well inside vitest's 30 s test timeout. */
export const OUTCOME_WAIT_MS = 5_000;

/** A wait that ran out: its message names what was awaited and for how long. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Resolves or rejects as `promise` does, or rejects after `ms` with
 * `timed out after <ms> ms waiting for <what>`.
 */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new WaitTimeoutError(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
