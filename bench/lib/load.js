/**
 * Load shapes shared by every metric: a closed loop of N workers for a fixed time, a
 * sequential round-trip sampler, and a pipelined throughput run. Each returns plain
 * numbers; the server's CPU is read over the control channel around the measured window.
 */

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Median of any array of numbers. */
export function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

const cpuMicros = (usage) => usage.user + usage.system;

/**
 * Runs `op(worker, iteration)` in `concurrency` closed loops: first `warmupOps` per worker
 * (not measured), then for `durationMs`. Returns operations per second and the server CPU
 * (µs) spent per operation during the measured window.
 */
export async function closedLoop({ concurrency, durationMs, warmupOps, op, server }) {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < warmupOps; i += 1) await op(worker, i);
    }),
  );
  let done = 0;
  let stop = false;
  const cpuBefore = await server.call('cpu');
  const started = performance.now();
  const timer = setTimeout(() => (stop = true), durationMs);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; !stop; i += 1) {
        await op(worker, i);
        done += 1;
      }
    }),
  );
  clearTimeout(timer);
  const elapsedMs = performance.now() - started;
  const cpuAfter = await server.call('cpu');
  return {
    ops: done,
    perSecond: (done / elapsedMs) * 1000,
    cpuMicrosPerOp: (cpuMicros(cpuAfter) - cpuMicros(cpuBefore)) / done,
  };
}

/** Sequential calls on one channel: the round-trip time of each, in µs, as p50/p99. */
export async function roundTrips({ channel, method, warmup, count }) {
  for (let i = 0; i < warmup; i += 1) await channel.call(method);
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await channel.call(method);
    samples[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  samples.sort();
  return { p50Us: percentile(samples, 50), p99Us: percentile(samples, 99), count };
}

/**
 * Pipelined calls: `window` requests in flight on each channel for `durationMs` after a
 * warmup of a fifth of that. Returns completed calls per second over all channels and the
 * server CPU (µs) per call.
 */
export async function pipelined({ channels, method, window, durationMs, server }) {
  const run = async (ms) => {
    let done = 0;
    let stop = false;
    const timer = setTimeout(() => (stop = true), ms);
    const started = performance.now();
    await Promise.all(
      channels.flatMap((channel) =>
        Array.from({ length: window }, async () => {
          while (!stop) {
            await channel.call(method);
            done += 1;
          }
        }),
      ),
    );
    clearTimeout(timer);
    return { done, elapsedMs: performance.now() - started };
  };
  await run(durationMs / 5);
  const cpuBefore = await server.call('cpu');
  const { done, elapsedMs } = await run(durationMs);
  const cpuAfter = await server.call('cpu');
  return {
    perSecond: (done / elapsedMs) * 1000,
    cpuMicrosPerOp: (cpuMicros(cpuAfter) - cpuMicros(cpuBefore)) / done,
  };
}

/** Runs `task(i)` for i in [0, count) with at most `limit` at once; resolves with the results. */
export async function inBatches(count, limit, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
