/**
 * The load generator's handle on a server process started with `fork`: waits for its
 * ready message, sends control requests (see control.js) and stops it. Every wait is
 * bounded, so a wedged server fails the run instead of hanging it.
 */
import { fork } from 'node:child_process';

/** How long a server may take to start, answer a control request, or stop. */
export const SERVER_TIMEOUT_MS = 30_000;

/**
 * Forks `script` with `--expose-gc` and resolves once it announced itself. With
 * `profileDir`, the server also writes a V8 CPU profile there when it exits.
 * @param {string} script absolute path of a bench server script
 * @param {{env?: NodeJS.ProcessEnv, profileDir?: string}} [options]
 * @returns {Promise<{info: Record<string, unknown>, call: (cmd: string, args?: unknown) => Promise<any>, stop: () => Promise<void>}>}
 */
export function startServerProcess(script, { env = process.env, profileDir } = {}) {
  const execArgv = [
    '--expose-gc',
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  const child = fork(script, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code, signal) => {
    exited = true;
    for (const { reject } of pending.values())
      reject(new Error(`server ${script} exited (${code ?? signal})`));
    pending.clear();
  });
  child.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`server: ${message.error}`));
  });

  const call = (cmd, args) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(`server ${script} is not running`));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`server did not answer ${cmd} within ${SERVER_TIMEOUT_MS} ms`));
      }, SERVER_TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, cmd, args });
    });

  const stop = async () => {
    if (exited) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), SERVER_TIMEOUT_MS);
    await call('stop').catch(() => child.kill('SIGKILL'));
    await exitedPromise;
    clearTimeout(killer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${SERVER_TIMEOUT_MS} ms`));
    }, SERVER_TIMEOUT_MS);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', function onReady(message) {
      if (!message.ready) return;
      clearTimeout(timer);
      child.off('message', onReady);
      child.off('exit', onExit);
      const { ready: _ready, ...info } = message;
      resolve({ info, call, stop });
    });
  });
}
