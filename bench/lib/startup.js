/**
 * The two metrics that need no running server: cold start of the headless gateway
 * (spawn → its "listening" line, against spawn → exit of `node -e 0`), and the gzip size
 * of the Control UI's startup JavaScript.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LOAD, TARGETS } from './targets.js';
import { extraAtMost } from './metrics.js';

/** How long one cold start may take before the run counts it as a failure. */
const START_TIMEOUT_MS = 20_000;
const LISTENING = 'special-agent gateway listening on';

/** ms from spawn until `untilLine` shows on stdout (or until exit when it is undefined). */
export function timeSpawn(args, env, untilLine) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let elapsed;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "${untilLine}" within ${START_TIMEOUT_MS} ms: ${output.trim()}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (untilLine && elapsed === undefined && output.includes(untilLine)) {
        elapsed = performance.now() - started;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!untilLine) elapsed = performance.now() - started;
      if (elapsed === undefined || (!untilLine && code !== 0))
        reject(new Error(`exited ${code}: ${output.trim()}`));
      else resolve(elapsed);
    });
  });
}

/** Median spawn→listening of dist/main/gateway.js (the bundled headless entry) vs spawn→exit of `node -e 0`. */
export async function measureColdStart(root) {
  const home = await mkdtemp(join(tmpdir(), 'special-agent-bench-cold-'));
  try {
    await writeFile(join(home, 'config.json5'), '{ gateway: { port: 0 } }\n');
    const env = {
      ...process.env,
      SPECIAL_AGENT_HOME: home,
      SPECIAL_AGENT_CONFIG: '',
      SPECIAL_AGENT_GATEWAY_TOKEN: randomBytes(32).toString('base64url'),
    };
    const gatewayArgs = [join(root, 'dist', 'main', 'gateway.js')];
    // One untimed run each, so both sides start with the files in the page cache.
    await timeSpawn(['-e', '0'], env);
    await timeSpawn(gatewayArgs, env, LISTENING);
    const bare = [];
    const gateway = [];
    for (let i = 0; i < LOAD.coldStartRuns; i += 1) {
      bare.push(await timeSpawn(['-e', '0'], env));
      gateway.push(await timeSpawn(gatewayArgs, env, LISTENING));
    }
    return [
      extraAtMost({
        key: 'coldStart',
        label: 'cold start to listening',
        unit: 'ms',
        gatewayRuns: gateway,
        rawRuns: bare,
        extra: TARGETS.coldStartExtraMs,
      }),
    ];
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Startup JS of the Control UI: scripts/ui-size.js when present, else the same count here. */
export async function measureUiSize(root) {
  const base = {
    key: 'uiStartupJs',
    label: 'Control UI startup JS',
    unit: 'KB gzip',
    target: `< ${TARGETS.uiStartupGzipBytes / 1024} KB gzip`,
  };
  const dist = join(root, 'dist', 'renderer');
  if (!existsSync(join(dist, 'index.html')))
    return [{ ...base, value: NaN, pass: false, detail: 'not built' }];
  const script = join(root, 'scripts', 'ui-size.js');
  const bytes = existsSync(script) ? await bytesFromScript(script) : startupBytes(dist);
  return [{ ...base, value: bytes / 1024, pass: bytes < TARGETS.uiStartupGzipBytes }];
}

function bytesFromScript(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', () => {
      // The script exits 1 when over budget but still prints the size.
      const match = /startup JS: ([\d.]+) KB gzip/.exec(output);
      if (match) resolve(Number(match[1]) * 1024);
      else reject(new Error(`ui-size.js printed no size: ${output.trim()}`));
    });
  });
}

/** gzip bytes of index.html's module scripts, modulepreloads and their static imports. */
function startupBytes(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const queue = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => posix.normalize(m[1].replace(/^\//, '')));
  const seen = new Set();
  let total = 0;
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(dist, file));
    total += gzipSync(code, { level: 9 }).length;
    for (const m of code
      .toString('utf8')
      .matchAll(/(?:\bimport|\bexport)\s*(?:[\w${},*\s]+?\s*from\s*)?["']([^"']+\.js)["']/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) queue.push(posix.normalize(posix.join(posix.dirname(file), spec)));
      else if (spec.startsWith('/')) queue.push(posix.normalize(spec.slice(1)));
    }
  }
  return total;
}
