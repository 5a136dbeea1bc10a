/**
 * A gateway started as a plain child process in its own process group, measured from the
 * outside through /proc (Linux): CPU time and RSS of its whole process tree. Both sides of
 * the peer bench are measured this way, so neither gets an in-process advantage.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** How often a starting gateway's port is tried; bounds the cold-start resolution. */
const PORT_POLL_MS = 5;
/** How long a gateway may take to listen (OpenClaw takes ~8 s on a loaded 2-core VM). */
export const START_TIMEOUT_MS = 90_000;
/** How long a gateway may take to exit after SIGTERM before its group gets SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;
/** Output kept for error messages. */
const OUTPUT_TAIL_CHARS = 4000;

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A port on 127.0.0.1 that was free a moment ago (the peer refuses `--port 0`). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** pid and every live descendant, from /proc/<pid>/task/<tid>/children. */
function processTree(pid) {
  const all = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift();
    all.push(next);
    let tasks;
    try {
      tasks = readFileSync(`/proc/${next}/task/${next}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of tasks.split(' ').filter(Boolean)) queue.push(Number(child));
  }
  return all;
}

/**
 * CPU of the tree in µs: utime + stime of each live process, plus cutime + cstime (the
 * children it already reaped), so each CPU tick is counted once.
 */
export function treeCpuMicros(pid) {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): utime..cstime are fields 14..17.
      ticks += fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
    } catch {
      // Exited between the listing and the read: its parent's cutime has it next time.
    }
  }
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

/** Resident set of the tree in bytes (VmRSS of each process; shared pages count per process). */
export function treeRssBytes(pid) {
  let kb = 0;
  for (const member of processTree(pid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${member}/status`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // Exited meanwhile.
    }
  }
  return kb * 1024;
}

/**
 * Spawns `command args` in a new process group and resolves once 127.0.0.1:`port` accepts
 * a TCP connection, with `readyMs` (spawn → accepting) and the handles the bench needs.
 * `server.call('cpu')` has the shape bench/lib/load.js expects. While it runs, its group's
 * pid is in `live` (when given), so an interrupted bench can end it: it is in its own group
 * and never sees the terminal's Ctrl-C.
 */
export async function startGateway({ name, command, args, env, cwd, port, live }) {
  const started = performance.now();
  const child = spawn(command, args, {
    env,
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk) => (tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit;
  if (child.pid !== undefined) live?.add(child.pid);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      live?.delete(child.pid);
      resolve((exit = code ?? signal));
    }),
  );
  child.once('error', (error) => keep(`\nspawn failed: ${error.message}`));

  const deadline = started + START_TIMEOUT_MS;
  while (!(await tryConnect(port))) {
    if (exit !== undefined || child.pid === undefined)
      throw new Error(`${name} exited (${exit}) before listening:\n${tail.trim()}`);
    if (performance.now() > deadline) {
      killGroup(child.pid, 'SIGKILL');
      throw new Error(`${name} did not listen on ${port} within ${START_TIMEOUT_MS} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PORT_POLL_MS));
  }
  const readyMs = performance.now() - started;
  const pid = child.pid;

  const stop = async () => {
    if (exit !== undefined) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    // Whatever the gateway left behind in its group goes with it.
    killGroup(pid, 'SIGKILL');
  };
  return {
    name,
    pid,
    port,
    readyMs,
    output: () => tail,
    rssBytes: () => treeRssBytes(pid),
    call: (cmd) => {
      if (cmd !== 'cpu') throw new Error(`${name}: only cpu is measured from outside`);
      if (exit !== undefined) return Promise.reject(new Error(`${name} exited (${exit})`));
      return Promise.resolve({ user: treeCpuMicros(pid), system: 0 });
    },
    stop,
  };
}

/** Sends `signal` to the process group `pid` leads (one this bench started). */
export function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
