/**
 * One function per benchmark metric. Each takes the bench context (both servers, their
 * URLs, the paired devices) and returns a result for report.js: the gateway's value, the
 * baseline measured in the same run, and whether the target holds.
 */
import { TARGETS, LOAD } from './targets.js';
import { closedLoop, inBatches, median, pipelined, roundTrips } from './load.js';
import { RpcChannel, closeSocket, gatewayHandshake, openAuthenticated, openSocket, rawOpenClose } from './clients.js';

/** A result whose target is `value / baseline >= min`. */
export function ratioAtLeast({ key, label, unit, value, baseline, min, detail }) {
  const ratio = value / baseline;
  return { key, label, unit, value, baseline, ratio, target: `>= ${min.toFixed(2)}`, pass: ratio >= min, detail };
}

/** A result whose target is `value <= baseline + extra`. */
export function extraAtMost({ key, label, unit, value, baseline, extra, detail }) {
  const delta = value - baseline;
  return { key, label, unit, value, baseline, delta, target: `<= raw + ${extra} ${unit}`, pass: delta <= extra, detail };
}

const gatewayDevice = (ctx, i) => ctx.devices[i % ctx.devices.length];

/** Handshake rate at each concurrency and server CPU per handshake, raw and gateway alternating. */
export async function measureHandshakes(ctx) {
  const results = [];
  for (const concurrency of LOAD.handshakeConcurrency) {
    const raw = [];
    const gw = [];
    for (let round = 0; round < LOAD.rounds; round += 1) {
      const common = { concurrency, durationMs: LOAD.handshakeDurationMs, warmupOps: LOAD.handshakeWarmupOps };
      raw.push(await closedLoop({ ...common, server: ctx.raw, op: () => rawOpenClose(ctx.rawUrl) }));
      gw.push(
        await closedLoop({
          ...common,
          server: ctx.gw,
          op: (worker) => {
            const device = gatewayDevice(ctx, worker);
            return gatewayHandshake(ctx.gwUrl, device.identity, { deviceToken: device.deviceToken });
          },
        }),
      );
    }
    const rate = (runs) => median(runs.map((r) => r.perSecond));
    const cpu = (runs) => median(runs.map((r) => r.cpuMicrosPerOp));
    results.push(
      ratioAtLeast({
        key: `handshakeRate@${concurrency}`,
        label: `handshake rate @${concurrency}`,
        unit: '/s',
        value: rate(gw),
        baseline: rate(raw),
        min: TARGETS.handshakeRateRatio,
        detail: { gatewayRuns: gw.map((r) => r.perSecond), rawRuns: raw.map((r) => r.perSecond) },
      }),
    );
    if (concurrency === Math.max(...LOAD.handshakeConcurrency)) {
      results.push(
        extraAtMost({
          key: 'handshakeCpu',
          label: `server CPU / handshake @${concurrency}`,
          unit: 'µs',
          value: cpu(gw),
          baseline: cpu(raw),
          extra: TARGETS.handshakeCpuExtraUs,
          detail: { gatewayRuns: gw.map((r) => r.cpuMicrosPerOp), rawRuns: raw.map((r) => r.cpuMicrosPerOp) },
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
      return openAuthenticated(ctx.gwUrl, device.identity, { deviceToken: device.deviceToken }).then((r) => r.ws);
    }),
  );
  const rawSockets = await Promise.all(Array.from({ length: LOAD.throughputConnections }, () => openSocket(ctx.rawUrl)));
  const gwChannels = gwSockets.map((ws) => new RpcChannel(ws));
  const rawChannels = rawSockets.map((ws) => new RpcChannel(ws));
  const p50 = { raw: [], gw: [] };
  const tput = { raw: [], gw: [] };
  try {
    for (let round = 0; round < LOAD.rounds; round += 1) {
      const rtt = { method: 'status', warmup: LOAD.rpcWarmup, count: LOAD.rpcCount };
      p50.raw.push((await roundTrips({ ...rtt, channel: rawChannels[0] })).p50Us);
      p50.gw.push((await roundTrips({ ...rtt, channel: gwChannels[0] })).p50Us);
      const load = { method: 'status', window: LOAD.throughputWindow, durationMs: LOAD.throughputDurationMs };
      tput.raw.push((await pipelined({ ...load, channels: rawChannels })).perSecond);
      tput.gw.push((await pipelined({ ...load, channels: gwChannels })).perSecond);
    }
  } finally {
    await Promise.all([...gwSockets, ...rawSockets].map(closeSocket));
  }
  return [
    extraAtMost({
      key: 'rpcP50',
      label: 'RPC status p50',
      unit: 'µs',
      value: median(p50.gw),
      baseline: median(p50.raw),
      extra: TARGETS.rpcP50ExtraUs,
      detail: { gatewayRuns: p50.gw, rawRuns: p50.raw },
    }),
    ratioAtLeast({
      key: 'rpcThroughput',
      label: 'RPC throughput',
      unit: '/s',
      value: median(tput.gw),
      baseline: median(tput.raw),
      min: TARGETS.rpcThroughputRatio,
      detail: { gatewayRuns: tput.gw, rawRuns: tput.raw },
    }),
  ];
}

/** Heap (heapUsed + external) added per idle connection, at LOAD.idleConnections of each. */
export async function measureIdleHeap(ctx) {
  const perConnection = async (server, open) => {
    const before = await server.call('heap');
    const sockets = await inBatches(LOAD.idleConnections, LOAD.idleOpenConcurrency, open);
    const after = await server.call('heap');
    await inBatches(sockets.length, 200, (i) => closeSocket(sockets[i]));
    return (after.heapUsed + after.external - before.heapUsed - before.external) / sockets.length;
  };
  const raw = await perConnection(ctx.raw, () => openSocket(ctx.rawUrl));
  const gw = await perConnection(ctx.gw, async (i) => {
    const device = gatewayDevice(ctx, i);
    return (await openAuthenticated(ctx.gwUrl, device.identity, { deviceToken: device.deviceToken })).ws;
  });
  return [
    extraAtMost({
      key: 'heapPerConnection',
      label: `heap / idle conn @${LOAD.idleConnections}`,
      unit: 'B',
      value: gw,
      baseline: raw,
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
      detail: { ...eld, stormMs: elapsedMs, failed: failed.length, firstFailure: failed[0]?.reason?.message },
    },
  ];
}
