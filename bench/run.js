#!/usr/bin/env node
/**
 * `npm run bench`: measures the built gateway (dist/) against a raw `ws` server on the
 * same machine in the same run, prints one line per metric and a JSON summary, and exits
 * 1 when any target is missed. See bench/README.md.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inBatches } from './lib/load.js';
import { closeSocket, newDevice, openAuthenticated } from './lib/clients.js';
import { measureHandshakes, measureIdleHeap, measureRpc, measureStorm } from './lib/metrics.js';
import { formatLine, summary } from './lib/report.js';
import { measurePairingScale } from './lib/pairing-scale.js';
import { measureHandshakeLimit } from './lib/handshake-limit.js';
import { startServerProcess } from './lib/server-process.js';
import { measureChat } from './lib/chat.js';
import { measureCli } from './lib/cli.js';
import { measureColdStart, measureUiSize } from './lib/startup.js';
import { LOAD } from './lib/targets.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const servers = [];
/** `BENCH_ONLY=handshakes,rpc` runs only those groups (profiling, quick checks). */
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
/** The groups that measure the two long-running servers; the others start their own processes. */
const SERVER_GROUPS = ['handshakes', 'rpc', 'storm', 'heap', 'handshake-limit'];
/** `BENCH_CPU_PROF=<dir>`: the gateway process writes a .cpuprofile there (open in Chrome DevTools). */
const profileDir = process.env.BENCH_CPU_PROF;

function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** First connect with the shared token: a local device is approved silently and gets its device token. */
async function pairDevices(gwUrl, token) {
  return inBatches(LOAD.devices, LOAD.pairConcurrency, async () => {
    const identity = newDevice();
    const { ws, hello } = await openAuthenticated(gwUrl, identity, { token });
    await closeSocket(ws);
    if (!hello.auth?.deviceToken)
      throw new Error('the gateway issued no device token on first connect');
    return { identity, deviceToken: hello.auth.deviceToken };
  });
}

/** Runs one group of metrics; an exception becomes a FAIL line instead of ending the run. */
async function group(name, results, measure) {
  if (only && !only.has(name)) return;
  progress(name);
  try {
    for (const result of await measure()) {
      results.push(result);
      process.stdout.write(`${formatLine(result)}\n`);
    }
  } catch (error) {
    const result = {
      key: name,
      label: name,
      unit: '',
      value: NaN,
      target: 'completes',
      pass: false,
      detail: `error: ${error.message}`,
    };
    results.push(result);
    process.stdout.write(`${formatLine(result)}\n`);
  }
}

async function main() {
  if (!existsSync(join(root, 'dist', 'main', 'app.js'))) {
    throw new Error(
      'dist/ is missing: run `npm run build` (or `npm run bench`, which builds first)',
    );
  }
  const started = performance.now();
  const results = [];
  if (!only || SERVER_GROUPS.some((name) => only.has(name))) await measureServers(results);
  await group('cold-start', results, () => measureColdStart(root));
  await group('cli', results, () => measureCli(root));
  await group('ui-size', results, () => measureUiSize(root));
  await group('pairing-scale', results, () => measurePairingScale(root));
  await group('chat', results, () => measureChat(root));

  const meta = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    durationS: Math.round((performance.now() - started) / 100) / 10,
  };
  process.stdout.write(`\n${JSON.stringify(summary(results, meta), null, 2)}\n`);
  return results.every((r) => r.pass) ? 0 : 1;
}

/** The groups against the raw server and the gateway, both stopped before the cold starts. */
async function measureServers(results) {
  progress('starting the raw ws server and the gateway');
  const raw = await startServerProcess(join(here, 'raw-server.js'));
  servers.push(raw);
  const gw = await startServerProcess(join(here, 'gateway-server.js'), { profileDir });
  servers.push(gw);
  const ctx = {
    raw,
    gw,
    rawUrl: `ws://127.0.0.1:${raw.info.port}/`,
    gwUrl: `ws://127.0.0.1:${gw.info.port}/`,
    devices: [],
  };
  progress(`pairing ${LOAD.devices} devices`);
  ctx.devices = await pairDevices(ctx.gwUrl, gw.info.token);

  await group('handshakes', results, () => measureHandshakes(ctx));
  await group('rpc', results, () => measureRpc(ctx));
  await group('storm', results, () => measureStorm(ctx));
  await group('heap', results, () => measureIdleHeap(ctx));
  await group('handshake-limit', results, () => measureHandshakeLimit(ctx));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${LOAD.watchdogMs / 1000} s\n`);
  for (const server of servers) void server.stop();
  process.exit(2);
}, LOAD.watchdogMs);
watchdog.unref();

main().then(
  async (code) => {
    clearTimeout(watchdog);
    process.exitCode = code;
  },
  async (error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    await Promise.all(servers.map((server) => server.stop().catch(() => undefined)));
    clearTimeout(watchdog);
    process.exitCode = 2;
  },
);
