/**
 * The server side of the bench's control channel (Node IPC): a server process answers
 * `cpu`, `heap`, `rss`, `eld-start`, `eld-stop` and `stop` requests from bench/run.js, so every
 * server-side figure is measured inside the server process itself, never the load
 * generator's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Sampling interval of the event-loop delay histogram, in ms (subtracted from results). */
export const ELD_RESOLUTION_MS = 1;

/**
 * Answers control requests `{id, cmd, args}` with `{id, ok, result}` or `{id, ok:false, error}`.
 * `onStop` closes the server; the process then exits by itself.
 */
export function serveControl({ onStop }) {
  if (typeof process.send !== 'function')
    throw new Error('start this script with child_process.fork');
  if (typeof globalThis.gc !== 'function') throw new Error('start this script with --expose-gc');
  let histogram;
  const handlers = {
    cpu: () => process.cpuUsage(),
    heap: () => {
      // Twice: the first pass may only schedule finalisers that free more on the second.
      globalThis.gc();
      globalThis.gc();
      const { heapUsed, external } = process.memoryUsage();
      return { heapUsed, external };
    },
    // No gc: the chat bench samples this while streams run. `maxRss` is the process's peak.
    rss: () => ({ ...process.memoryUsage(), maxRss: process.resourceUsage().maxRSS * 1024 }),
    'eld-start': () => {
      histogram?.disable();
      histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
      histogram.enable();
      return true;
    },
    'eld-stop': () => {
      if (!histogram) throw new Error('eld-start first');
      histogram.disable();
      const toMs = (ns) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
      const result = {
        p50Ms: toMs(histogram.percentile(50)),
        p99Ms: toMs(histogram.percentile(99)),
        maxMs: toMs(histogram.max),
        samples: histogram.count,
      };
      histogram = undefined;
      return result;
    },
    stop: async () => {
      await onStop();
      return true;
    },
  };
  process.on('message', (message) => {
    const { id, cmd, args } = message;
    Promise.resolve()
      .then(() => {
        const handler = handlers[cmd];
        if (!handler) throw new Error(`unknown control command ${cmd}`);
        return handler(args);
      })
      .then(
        (result) => process.send({ id, ok: true, result }),
        (error) =>
          process.send({
            id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      )
      .finally(() => {
        if (cmd === 'stop') process.disconnect();
      });
  });
}

/** Tells the parent the server is up, with whatever it needs to reach it. */
export function announceReady(info) {
  process.send({ ready: true, ...info });
}
