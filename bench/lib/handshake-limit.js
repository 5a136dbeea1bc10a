/**
 * The handshake against its limit (issue 16, "Performance round 2"), both rows measured
 * against the raw server in the same run, in alternating rounds, verdict on the median of
 * the per-round ratios:
 *
 * - server CPU per handshake at `concurrency` clients: the gateway's full handshake
 *   against the raw server's open/close plus one Ed25519 verify per connection (`/verify`,
 *   done as the gateway does it: handshake-limit-verify.js);
 * - `status` p99 during a storm of `stormHandshakes` handshakes at once, timed by an
 *   already-connected client in a worker thread (status-probe.js), against the raw
 *   server's echo p99 during a storm of raw open/close + verify.
 */
import { Worker } from 'node:worker_threads';
import { CLIENT_TIMEOUT_MS, gatewayHandshake, rawOpenClose } from './clients.js';
import { closedLoop, median } from './load.js';
import { ratioAtMost } from './metrics.js';

/** Sizes and targets of this group (issue 16); never loosen a target. */
export const HANDSHAKE_LIMIT = {
  concurrency: 50,
  /** Alternating raw/gateway rounds of the CPU row, each a closed loop this long. */
  rounds: 5,
  durationMs: 1000,
  warmupOps: 3,
  /** Server CPU per handshake, at most this × raw open/close + one verify. */
  cpuRatio: 1.5,
  stormHandshakes: 200,
  /** Alternating raw/gateway storms of the p99 row. */
  stormRounds: 7,
  /** Unrecorded probe calls before each storm. */
  probeWarmup: 50,
  /** `status` p99 in the storm, at most this × the raw echo p99 in its storm ... */
  stormP99Ratio: 2,
  /** ... and at most this many ms. */
  stormP99MaxMs: 10,
};

/** A status-probe worker and a bounded wait for its next message with `field`. */
function startProbe(workerData) {
  const worker = new Worker(new URL('./status-probe.js', import.meta.url), {
    workerData: { warmup: HANDSHAKE_LIMIT.probeWarmup, ...workerData },
  });
  const next = (field) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the status probe sent no "${field}" within ${CLIENT_TIMEOUT_MS} ms`));
      }, CLIENT_TIMEOUT_MS);
      const onMessage = (message) => {
        if (message.error) {
          cleanup();
          reject(new Error(`status probe: ${message.error}`));
        } else if (field in message) {
          cleanup();
          resolve(message);
        }
      };
      const onError = (error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
  return {
    ready: next('ready'),
    /** Records while `storm()` runs; resolves with the probe's figures and the storm's. */
    async during(storm) {
      const started = next('started');
      worker.postMessage('start');
      await started;
      const begun = performance.now();
      const outcomes = await storm();
      const stormMs = performance.now() - begun;
      const figures = next('count');
      worker.postMessage('stop');
      const failed = outcomes.filter((o) => o.status === 'rejected');
      if (failed.length > 0)
        throw new Error(`${failed.length} storm handshakes failed: ${failed[0].reason?.message}`);
      return { ...(await figures), stormMs };
    },
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      const timer = setTimeout(() => void worker.terminate(), CLIENT_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

const device = (ctx, i) => ctx.devices[i % ctx.devices.length];

const storm = (op) => () =>
  Promise.allSettled(Array.from({ length: HANDSHAKE_LIMIT.stormHandshakes }, (_, i) => op(i)));

/** Both rows of the group; `ctx` is run.js's (both servers, their URLs, the paired devices). */
export async function measureHandshakeLimit(ctx) {
  const verifyUrl = `${ctx.rawUrl}verify`;
  const gatewayOp = (i) => {
    const { identity, deviceToken } = device(ctx, i);
    return gatewayHandshake(ctx.gwUrl, identity, { deviceToken });
  };
  const rawOp = () => rawOpenClose(verifyUrl);
  return [await cpuRow(ctx, rawOp, gatewayOp), await stormRow(ctx, rawOp, gatewayOp)];
}

/** Alternates which side goes first, so a drift in machine load favours neither. */
async function alternate(round, raw, gateway) {
  if (round % 2 === 0) return { raw: await raw(), gw: await gateway() };
  const gw = await gateway();
  return { raw: await raw(), gw };
}

async function cpuRow(ctx, rawOp, gatewayOp) {
  const { concurrency, durationMs, warmupOps } = HANDSHAKE_LIMIT;
  const common = { concurrency, durationMs, warmupOps };
  const raw = [];
  const gw = [];
  for (let round = 0; round < HANDSHAKE_LIMIT.rounds; round += 1) {
    const pair = await alternate(
      round,
      () => closedLoop({ ...common, server: ctx.raw, op: rawOp }),
      () => closedLoop({ ...common, server: ctx.gw, op: (worker) => gatewayOp(worker) }),
    );
    raw.push(pair.raw);
    gw.push(pair.gw);
  }
  return ratioAtMost({
    key: 'handshakeCpuVsVerify',
    label: `server CPU / handshake @${concurrency}`,
    unit: 'µs',
    gatewayRuns: gw.map((r) => r.cpuMicrosPerOp),
    rawRuns: raw.map((r) => r.cpuMicrosPerOp),
    max: HANDSHAKE_LIMIT.cpuRatio,
    detail: {
      baseline: 'raw open/close + one Ed25519 verify (thread pool, key imported once)',
      rate: {
        gateway: median(gw.map((r) => r.perSecond)),
        raw: median(raw.map((r) => r.perSecond)),
      },
    },
  });
}

async function stormRow(ctx, rawOp, gatewayOp) {
  const probe = device(ctx, 0);
  const rawProbe = startProbe({ url: ctx.rawUrl });
  const gwProbe = startProbe({
    url: ctx.gwUrl,
    device: probe.identity.privateKey,
    deviceToken: probe.deviceToken,
  });
  const raw = [];
  const gw = [];
  try {
    await Promise.all([rawProbe.ready, gwProbe.ready]);
    for (let round = 0; round < HANDSHAKE_LIMIT.stormRounds; round += 1) {
      const pair = await alternate(
        round,
        () => rawProbe.during(storm(rawOp)),
        () => gwProbe.during(storm(gatewayOp)),
      );
      raw.push(pair.raw);
      gw.push(pair.gw);
    }
  } finally {
    await Promise.all([rawProbe.close(), gwProbe.close()]);
  }
  const side = (runs) => ({
    samples: runs.map((r) => r.count),
    p50Ms: runs.map((r) => r.p50Ms),
    maxMs: runs.map((r) => r.maxMs),
    stormMs: runs.map((r) => r.stormMs),
  });
  return ratioAtMost({
    key: 'stormStatusP99',
    label: `status p99, ${HANDSHAKE_LIMIT.stormHandshakes}-handshake storm`,
    unit: 'ms',
    gatewayRuns: gw.map((r) => r.p99Ms),
    rawRuns: raw.map((r) => r.p99Ms),
    max: HANDSHAKE_LIMIT.stormP99Ratio,
    cap: HANDSHAKE_LIMIT.stormP99MaxMs,
    detail: { gateway: side(gw), raw: side(raw) },
  });
}
