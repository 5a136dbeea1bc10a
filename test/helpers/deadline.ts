/**
 * A short bound on one awaited outcome: the test fails naming what it waited for, instead
 * of running into vitest's 30 s timeout with no hint (the machine is loaded, so the bound
 * is generous and never a timing assertion).
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
