/**
 * One function per benchmark metric. Each takes the bench context (both servers, their
 * URLs, the paired devices) and returns a result for report.js: the gateway's value, the
 * baseline measured in the same run, and whether the target holds.
 */
import { TARGETS, LOAD } from './targets.js';
import { closedLoop, inBatches, median, pipelined, roundTrips } from './load.js';
import {
  RpcChannel,
  closeSocket,
  gatewayHandshake,
  openAuthenticated,
  openSocket,
  rawOpenClose,
} from './clients.js';

/**
 * Gateway and raw runs are measured in alternating pairs, so each pair saw the same machine
 * load; the verdict uses the median of the per-pair ratios (or differences), which a noisy
 * neighbour on the shared cores moves far less than a ratio of separate medians.
 */
function paired(gatewayRuns, rawRuns, combine) {
  return median(gatewayRuns.map((value, i) => combine(value, rawRuns[i])));
}

/** A result whose target is `gateway / raw >= min`, from paired runs. */
export function ratioAtLeast({ key, label, unit, gatewayRuns, rawRuns, min, detail }) {
  const ratio = paired(gatewayRuns, rawRuns, (gw, raw) => gw / raw);
  return {
    key,
    label,
    unit,
    value: median(gatewayRuns),
    baseline: median(rawRuns),
    ratio,
    target: `>= ${min.toFixed(2)}`,
    pass: ratio >= min,
    detail: { gatewayRuns, rawRuns, ...detail },
  };
}

/**
 * A result whose target is `gateway / raw <= max`, from paired runs; with `cap`, the
 * gateway's median must also stay at or under `cap` (in `unit`).
 */
export function ratioAtMost({ key, label, unit, gatewayRuns, rawRuns, max, cap, detail }) {
  const ratio = paired(gatewayRuns, rawRuns, (gw, raw) => gw / raw);
  const value = median(gatewayRuns);
  const withinCap = cap === undefined || value <= cap;
  return {
    key,
    label,
    unit,
    value,
    baseline: median(rawRuns),
    ratio,
    target: `<= ${max.toFixed(2)}${cap === undefined ? '' : `, <= ${cap} ${unit}`}`,
    pass: ratio <= max && withinCap,
    detail: { gatewayRuns, rawRuns, ...detail },
  };
}

/** A result whose target is `gateway <= raw + extra`, from paired runs. */
export function extraAtMost({ key, label, unit, gatewayRuns, rawRuns, extra, detail }) {
  const delta = paired(gatewayRuns, rawRuns, (gw, raw) => gw - raw);
  return {
    key,
    label,
    unit,
    value: median(gatewayRuns),
    baseline: median(rawRuns),
    delta,
    target: `<= raw + ${extra} ${unit}`,
    pass: delta <= extra,
    detail: { gatewayRuns, rawRuns, ...detail },
  };
}

const gatewayDevice = (ctx, i) => ctx.devices[i % ctx.devices.length];

/** Handshake rate at each concurrency and server CPU per handshake, raw and gateway alternating. */
export async function measureHandshakes(ctx) {
  const results = [];
  for (const concurrency of LOAD.handshakeConcurrency) {
    const raw = [];
    const gw = [];
    for (let round = 0; round < LOAD.rounds; round += 1) {
      const common = {
        concurrency,
        durationMs: LOAD.handshakeDurationMs,
        warmupOps: LOAD.handshakeWarmupOps,
      };
      raw.push(
        await closedLoop({ ...common, server: ctx.raw, op: () => rawOpenClose(ctx.rawUrl) }),
      );
      gw.push(
        await closedLoop({
          ...common,
          server: ctx.gw,
          op: (worker) => {
            const device = gatewayDevice(ctx, worker);
            return gatewayHandshake(ctx.gwUrl, device.identity, {
              deviceToken: device.deviceToken,
            });
          },
        }),
      );
    }
    const rate = (runs) => runs.map((r) => r.perSecond);
    const cpu = (runs) => runs.map((r) => r.cpuMicrosPerOp);
    results.push(
      ratioAtLeast({
        key: `handshakeRate@${concurrency}`,
        label: `handshake rate @${concurrency}`,
        unit: '/s',
        gatewayRuns: rate(gw),
        rawRuns: rate(raw),
        min: TARGETS.handshakeRateRatio,
        detail: {
          serverCpuMicrosPerHandshake: { gateway: median(cpu(gw)), raw: median(cpu(raw)) },
        },
      }),
    );
    if (concurrency === Math.max(...LOAD.handshakeConcurrency)) {
      results.push(
        extraAtMost({
          key: 'handshakeCpu',
          label: `server CPU / handshake @${concurrency}`,
          unit: 'µs',
          gatewayRuns: cpu(gw),
          rawRuns: cpu(raw),
          extra: TARGETS.handshakeCpuExtraUs,
        }),
      );
    }
  }
  return results;
}

/** `status` round trip p50 and pipelined throughput against raw echo. */
export async function measureRpc(ctx) {
  const gwSockets = await Promise.all(
    Array.from({ length: LOAD.throughputConnections }, (_, i) => {
      const device = gatewayDevice(ctx, i);
      return openAuthenticated(ctx.gwUrl, device.identity, {
        deviceToken: device.deviceToken,
      }).then((r) => r.ws);
    }),
  );
  const rawSockets = await Promise.all(
    Array.from({ length: LOAD.throughputConnections }, () => openSocket(ctx.rawUrl)),
  );
  const gwChannels = gwSockets.map((ws) => new RpcChannel(ws));
  const rawChannels = rawSockets.map((ws) => new RpcChannel(ws));
  const p50 = { raw: [], gw: [] };
  const tput = { raw: [], gw: [] };
  const cpu = { raw: [], gw: [] };
  try {
    const status = JSON.parse(await gwChannels[0].call('status'));
    if (!status.ok || typeof status.payload?.version !== 'string')
      throw new Error(`status answered ${JSON.stringify(status)}`);
    for (let round = 0; round < LOAD.rounds; round += 1) {
      const rtt = { method: 'status', warmup: LOAD.rpcWarmup, count: LOAD.rpcCount };
      p50.raw.push((await roundTrips({ ...rtt, channel: rawChannels[0] })).p50Us);
      p50.gw.push((await roundTrips({ ...rtt, channel: gwChannels[0] })).p50Us);
      const load = {
        method: 'status',
        window: LOAD.throughputWindow,
        durationMs: LOAD.throughputDurationMs,
      };
      const raw = await pipelined({ ...load, channels: rawChannels, server: ctx.raw });
      const gw = await pipelined({ ...load, channels: gwChannels, server: ctx.gw });
      tput.raw.push(raw.perSecond);
      tput.gw.push(gw.perSecond);
      cpu.raw.push(raw.cpuMicrosPerOp);
      cpu.gw.push(gw.cpuMicrosPerOp);
    }
  } finally {
    await Promise.all([...gwSockets, ...rawSockets].map(closeSocket));
  }
  return [
    extraAtMost({
      key: 'rpcP50',
      label: 'RPC status p50',
      unit: 'µs',
      gatewayRuns: p50.gw,
      rawRuns: p50.raw,
      extra: TARGETS.rpcP50ExtraUs,
    }),
    ratioAtLeast({
      key: 'rpcThroughput',
      label: 'RPC throughput',
      unit: '/s',
      gatewayRuns: tput.gw,
      rawRuns: tput.raw,
      min: TARGETS.rpcThroughputRatio,
      detail: { serverCpuMicrosPerCall: { gateway: median(cpu.gw), raw: median(cpu.raw) } },
    }),
  ];
}

/** Heap (heapUsed + external) added per idle connection, at LOAD.idleConnections of each. */
export async function measureIdleHeap(ctx) {
  const perConnection = async (server, open) => {
    // Warm-up: code compiled for the first connections is not per-connection memory.
    const warm = await inBatches(LOAD.idleWarmup, LOAD.idleOpenConcurrency, open);
    await Promise.all(warm.map(closeSocket));
    const before = await server.call('heap');
    const sockets = await inBatches(LOAD.idleConnections, LOAD.idleOpenConcurrency, open);
    const after = await server.call('heap');
    await inBatches(sockets.length, 200, (i) => closeSocket(sockets[i]));
    return (after.heapUsed + after.external - before.heapUsed - before.external) / sockets.length;
  };
  const raw = await perConnection(ctx.raw, () => openSocket(ctx.rawUrl));
  const gw = await perConnection(ctx.gw, async (i) => {
    const device = gatewayDevice(ctx, i);
    return (
      await openAuthenticated(ctx.gwUrl, device.identity, { deviceToken: device.deviceToken })
    ).ws;
  });
  return [
    extraAtMost({
      key: 'heapPerConnection',
      label: `heap / idle conn @${LOAD.idleConnections}`,
      unit: 'B',
      gatewayRuns: [gw],
      rawRuns: [raw],
      extra: TARGETS.heapExtraBytesPerConnection,
    }),
  ];
}

/** Event-loop delay p99 in the gateway while LOAD.stormHandshakes handshakes arrive at once. */
export async function measureStorm(ctx) {
  await ctx.gw.call('eld-start');
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: LOAD.stormHandshakes }, (_, i) => {
      const device = gatewayDevice(ctx, i);
      return gatewayHandshake(ctx.gwUrl, device.identity, { deviceToken: device.deviceToken });
    }),
  );
  const elapsedMs = performance.now() - started;
  const eld = await ctx.gw.call('eld-stop');
  const failed = outcomes.filter((o) => o.status === 'rejected');
  const p99 = eld.p99Ms;
  return [
    {
      key: 'stormEventLoopP99',
      label: `event-loop p99, ${LOAD.stormHandshakes}-handshake storm`,
      unit: 'ms',
      value: p99,
      target: `<= ${TARGETS.stormEventLoopP99Ms} ms`,
      pass: p99 <= TARGETS.stormEventLoopP99Ms && failed.length === 0,
      detail: {
        ...eld,
        stormMs: elapsedMs,
        failed: failed.length,
        firstFailure: failed[0]?.reason?.message,
      },
    },
  ];
}
