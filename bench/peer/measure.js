/**
 * The side-by-side measurements. Every metric runs in interleaved rounds (special-agent,
 * then OpenClaw, same load), and its ratio is the median of the per-round ratios
 * special-agent ÷ OpenClaw, since a neighbour on the shared cores moves both members of a
 * round alike. A row is `{label, unit, ours, peer, ratio, detail}`.
 */
import { closedLoop, inBatches, median, roundTrips } from '../lib/load.js';
import {
  RpcChannel,
  closeSocket,
  gatewayHandshake,
  newDevice,
  openAuthenticated,
} from '../lib/clients.js';
import { freePort, startGateway } from './proc.js';

/** Load sizes of the peer bench, in one place. */
export const PEER_LOAD = {
  rounds: 5,
  /** Devices paired per side before the handshake rounds: one per concurrent client. */
  devices: 50,
  pairConcurrency: 10,
  handshakeConcurrency: [1, 50],
  handshakeDurationMs: 2000,
  handshakeWarmupOps: 2,
  statusWarmup: 20,
  /** One sequential caller for this long per round: server CPU per call. */
  statusDurationMs: 1500,
  /** Sequential round trips per round after that: p50. */
  statusCount: 300,
  /** Quiet time after both are listening before RSS is read, then samples until steady. */
  idleSettleMs: 30_000,
  idleSampleGapMs: 1000,
  /** Samples (the last `rounds`) count as steady when max − min is within this of max. */
  idleSteadyFraction: 0.02,
  idleMaxMs: 90_000,
  coldStartRuns: 5,
};

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A row from per-round values of each side. */
function row(label, unit, oursRuns, peerRuns, detail) {
  return {
    label,
    unit,
    ours: median(oursRuns),
    peer: median(peerRuns),
    ratio: median(oursRuns.map((value, i) => value / peerRuns[i])),
    detail: { oursRuns, peerRuns, ...detail },
  };
}

/** Starts one side on a fresh port and home; resolves `{side, server, url, token, remove}`. */
export async function startSide(side) {
  const port = await freePort();
  const home = await side.home(port);
  try {
    const server = await startGateway({ name: side.name, ...home, port });
    return { side, server, url: `ws://127.0.0.1:${port}/`, token: home.token, remove: home.remove };
  } catch (error) {
    await home.remove();
    throw error;
  }
}

/**
 * Idle RSS of both running gateways, before any client: sampled every second after a quiet
 * period until the last `rounds` samples of each side lie within `idleSteadyFraction` (or
 * `idleMaxMs` passed), because OpenClaw holds ~400 MB for ~15 s after it listens, then
 * drops to ~250 MB. The rows are the last samples, alternating between the sides.
 */
export async function measureIdleRss(ours, peer) {
  const started = performance.now();
  const { rounds, idleSettleMs, idleMaxMs, idleSampleGapMs, idleSteadyFraction } = PEER_LOAD;
  const last = (samples) => samples.slice(-rounds);
  const steady = (samples) =>
    samples.length >= rounds &&
    Math.max(...last(samples)) - Math.min(...last(samples)) <=
      idleSteadyFraction * Math.max(...last(samples));
  await wait(idleSettleMs);
  const o = [];
  const p = [];
  for (;;) {
    o.push(ours.server.rssBytes() / 2 ** 20);
    p.push(peer.server.rssBytes() / 2 ** 20);
    if ((steady(o) && steady(p)) || performance.now() - started > idleMaxMs) break;
    await wait(idleSampleGapMs);
  }
  return [
    row('idle RSS after start', 'MB', last(o), last(p), {
      sampledForMs: performance.now() - started,
      steady: steady(o) && steady(p),
    }),
  ];
}

/** First connect with the shared token: loopback devices are approved silently and get a device token. */
export async function pairDevices(running) {
  running.devices = await inBatches(PEER_LOAD.devices, PEER_LOAD.pairConcurrency, async () => {
    const identity = newDevice();
    const { ws, hello } = await openAuthenticated(
      running.url,
      identity,
      { token: running.token },
      undefined,
      running.side.client,
    );
    await closeSocket(ws);
    if (!hello.auth?.deviceToken)
      throw new Error(`${running.side.name} issued no device token on first connect`);
    return { identity, deviceToken: hello.auth.deviceToken };
  });
}

/**
 * One closed loop of returning-device handshakes. A handshake the gateway refuses or drops
 * (OpenClaw closes sockets that wait over 10 s for `hello-ok` when the cores are saturated)
 * is counted, not fatal: the rate and CPU count completed handshakes only.
 */
async function handshakeLoop(running, concurrency) {
  let phase = 0; // 0 warm-up, 1 measured window, 2 after: closedLoop reads CPU at each edge.
  const failures = { measured: 0, first: undefined };
  const server = {
    call: (cmd) => {
      phase += 1;
      return running.server.call(cmd);
    },
  };
  const result = await closedLoop({
    concurrency,
    durationMs: PEER_LOAD.handshakeDurationMs,
    warmupOps: PEER_LOAD.handshakeWarmupOps,
    server,
    op: async (worker) => {
      const device = running.devices[worker % running.devices.length];
      try {
        await gatewayHandshake(
          running.url,
          device.identity,
          { deviceToken: device.deviceToken },
          running.side.client,
          // Each worker its own loopback address, as separate clients have: our gateway
          // admits at most 32 sockets before hello-ok per address (PROTOCOL.md "Transport").
          `127.0.0.${10 + (worker % 200)}`,
        );
      } catch (error) {
        if (phase === 1) failures.measured += 1;
        failures.first ??= error.message;
      }
    },
  });
  const completed = result.ops - failures.measured;
  if (completed <= 0)
    throw new Error(
      `${running.side.name}: no handshake @${concurrency} completed: ${failures.first}`,
    );
  return {
    perSecond: (result.perSecond * completed) / result.ops,
    cpuMicrosPerOp: (result.cpuMicrosPerOp * result.ops) / completed,
    completed,
    failed: failures.measured,
    firstFailure: failures.first,
  };
}

/** Handshake rate and server CPU per completed handshake of returning devices, at each concurrency. */
export async function measureHandshakes(ours, peer) {
  const rows = [];
  for (const concurrency of PEER_LOAD.handshakeConcurrency) {
    const o = [];
    const p = [];
    for (let round = 0; round < PEER_LOAD.rounds; round += 1) {
      o.push(await handshakeLoop(ours, concurrency));
      p.push(await handshakeLoop(peer, concurrency));
    }
    const rate = (runs) => runs.map((r) => r.perSecond);
    const cpu = (runs) => runs.map((r) => r.cpuMicrosPerOp);
    const failed = (runs) => ({
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
      of: runs.reduce((sum, r) => sum + r.failed + r.completed, 0),
      first: runs.find((r) => r.firstFailure)?.firstFailure,
    });
    const detail = { failures: { ours: failed(o), peer: failed(p) } };
    rows.push(row(`handshake rate @${concurrency}`, '/s', rate(o), rate(p), detail));
    rows.push(row(`server CPU / handshake @${concurrency}`, 'µs', cpu(o), cpu(p)));
  }
  return rows;
}

/** Sequential `status` calls on one connection (one caller): server CPU per call and round-trip p50. */
export async function measureStatus(ours, peer) {
  const open = async (running) => {
    const device = running.devices[0];
    const { ws } = await openAuthenticated(
      running.url,
      device.identity,
      { deviceToken: device.deviceToken },
      undefined,
      running.side.client,
    );
    const channel = new RpcChannel(ws);
    const first = JSON.parse(await channel.call('status'));
    if (!first.ok) throw new Error(`${running.side.name} status answered ${JSON.stringify(first)}`);
    return { ws, channel, running };
  };
  // CPU over a timed closed loop (thousands of calls, so the 10 ms tick of /proc is small
  // against the total); p50 from a separate fixed count of round trips.
  const run = async ({ channel, running }) => {
    const { cpuMicrosPerOp } = await closedLoop({
      concurrency: 1,
      durationMs: PEER_LOAD.statusDurationMs,
      warmupOps: PEER_LOAD.statusWarmup,
      server: running.server,
      op: () => channel.call('status'),
    });
    const { p50Us } = await roundTrips({
      channel,
      method: 'status',
      warmup: 0,
      count: PEER_LOAD.statusCount,
    });
    return { p50Us, cpuUs: cpuMicrosPerOp };
  };
  const sides = [await open(ours), await open(peer)];
  const o = [];
  const p = [];
  try {
    for (let round = 0; round < PEER_LOAD.rounds; round += 1) {
      o.push(await run(sides[0]));
      p.push(await run(sides[1]));
    }
  } finally {
    await Promise.all(sides.map(({ ws }) => closeSocket(ws)));
  }
  return [
    row(
      'status: server CPU / call',
      'µs',
      o.map((r) => r.cpuUs),
      p.map((r) => r.cpuUs),
    ),
    row(
      'status: round trip p50',
      'µs',
      o.map((r) => r.p50Us),
      p.map((r) => r.p50Us),
    ),
  ];
}

/**
 * Spawn → port accepting, each side with one home kept across its runs (first-run setup is
 * not a cold start), after one untimed run each so both start with their files cached.
 */
export async function measureColdStart(ourSide, peerSide) {
  const homes = [];
  const prepare = async (side) => {
    const port = await freePort();
    const home = await side.home(port);
    homes.push(home);
    return { name: side.name, ...home, port };
  };
  const once = async (spec) => {
    const server = await startGateway(spec);
    await server.stop();
    return server.readyMs;
  };
  try {
    const ours = await prepare(ourSide);
    const peer = await prepare(peerSide);
    await once(ours);
    await once(peer);
    const o = [];
    const p = [];
    for (let i = 0; i < PEER_LOAD.coldStartRuns; i += 1) {
      o.push(await once(ours));
      p.push(await once(peer));
    }
    return [row('cold start: spawn → listening', 'ms', o, p)];
  } finally {
    await Promise.all(homes.map((home) => home.remove()));
  }
}
