#!/usr/bin/env node
/**
 * `npm run bench:peer`: the built gateway (dist/) side by side with OpenClaw, the closest
 * peer, on this machine in one run. Installs the peer (Node 22 + OpenClaw from the npm
 * registry) into a cache folder outside the repo on first use, then prints a table
 * metric | special-agent | OpenClaw | ratio and a JSON summary. Exits 2 when the run broke.
 * Not part of `npm test`. See bench/README.md.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePeerInstalled, PEER_VERSIONS } from './install.js';
import {
  measureColdStart,
  measureHandshakes,
  measureIdleRss,
  measureStatus,
  pairDevices,
  startSide,
} from './measure.js';
import { killGroup } from './proc.js';
import { ourSide, peerSide } from './sides.js';
import { formatNotes, formatTable, summary } from './table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The whole run (after the install) is stopped after this long, so it never hangs. */
const WATCHDOG_MS = 15 * 60_000;
const running = [];
/** Process groups of every gateway this run started and that still runs. */
const live = new Set();

/** Ends every gateway still running (their temp homes stay in the OS temp dir) and exits. */
function abort(code) {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => abort(130));

function progress(message) {
  process.stderr.write(`bench:peer: ${message}\n`);
}

async function main() {
  if (process.platform !== 'linux')
    throw new Error('bench:peer reads /proc for CPU and RSS: it runs on Linux only');
  if (!existsSync(join(root, 'dist', 'main', 'gateway.js')))
    throw new Error('dist/ is missing: run `npm run build` (or `npm run bench:peer`)');
  const install = await ensurePeerInstalled(root, { log: progress });
  progress(
    `peer: openclaw@${PEER_VERSIONS.openclaw} on node ${PEER_VERSIONS.node} (${install.dir})`,
  );
  const watchdog = setTimeout(() => {
    progress(`gave up after ${WATCHDOG_MS / 1000} s`);
    abort(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const started = performance.now();
  const loadBefore = loadavg();
  const sides = { ours: ourSide(root, live), peer: peerSide(install, live) };
  // Cold starts first: their untimed first runs also fill Node's compile cache (OpenClaw
  // turns it on), so the long-running gateways below start as a user's second start does.
  progress('cold starts');
  const cold = await measureColdStart(sides.ours, sides.peer);
  progress('starting both gateways');
  const peer = await startSide(sides.peer);
  running.push(peer);
  const ours = await startSide(sides.ours);
  running.push(ours);
  progress('idle RSS');
  const idle = await measureIdleRss(ours, peer);
  progress('pairing devices');
  await pairDevices(ours);
  await pairDevices(peer);
  progress('handshakes');
  const handshakes = await measureHandshakes(ours, peer);
  progress('status');
  const status = await measureStatus(ours, peer);
  await stopAll();
  clearTimeout(watchdog);
  const rows = [...handshakes, ...status, ...idle, ...cold];

  const meta = {
    node: { ours: process.version, peer: `v${PEER_VERSIONS.node}` },
    openclaw: PEER_VERSIONS.openclaw,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    durationS: Math.round((performance.now() - started) / 100) / 10,
  };
  process.stdout.write(`${formatTable(rows)}\n\n`);
  const notes = formatNotes(rows, { ours: sides.ours.name, peer: sides.peer.name });
  if (notes) process.stdout.write(`${notes}\n`);
  process.stdout.write(
    `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${meta.loadavgAfter
      .map((n) => n.toFixed(2))
      .join(' ')}; ${meta.cpus} × ${meta.cpuModel}\n`,
  );
  process.stdout.write(`\n${JSON.stringify(summary(rows, meta), null, 2)}\n`);
}

async function stopAll() {
  const list = running.splice(0);
  await Promise.all(list.map((r) => r.server.stop()));
  await Promise.all(list.map((r) => r.remove()));
}

main().then(
  () => {
    process.exitCode = 0;
  },
  async (error) => {
    process.stderr.write(`bench:peer: ${error.stack ?? error.message}\n`);
    await stopAll().catch(() => undefined);
    process.exitCode = 2;
  },
);
