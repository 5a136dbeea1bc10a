/**
 * The CLI rows: the real `special-agent` command (bin/special-agent.js, what npx and the
 * node_modules/.bin link run) from spawn to exit or to its "listening" line, against
 * spawn → exit of `node -e 0` in alternating pairs; and the first `npx special-agent` of
 * a checkout, with a fresh npm cache, which must run the local bin and install nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './load.js';
import { extraAtMost } from './metrics.js';
import { LISTENING, coldStartHome, timeSpawn } from './startup.js';
import { LOAD, TARGETS } from './targets.js';

/** How long the gateway for `devices list` may take to start. */
const GATEWAY_START_TIMEOUT_MS = 20_000;

/** All four CLI rows; a row that breaks is a FAIL line of its own, the others still run. */
export async function measureCli(root) {
  const { env, remove } = await coldStartHome();
  try {
    const version = packageVersion(root);
    const rows = [
      ['cliVersion', 'special-agent --version', () => measureVersion(root, env, version)],
      ['cliDevicesList', 'special-agent devices list --json', () => measureDevicesList(root, env)],
      [
        'npxFirstVersion',
        'first npx special-agent --version',
        () => measureFirstNpx(root, version),
      ],
      ['cliGatewayRun', 'gateway run (CLI) to listening', () => measureGatewayRun(root, env)],
    ];
    const results = [];
    for (const [key, label, measure] of rows) {
      results.push(
        await measure().catch((error) => ({
          key,
          label,
          unit: 'ms',
          value: NaN,
          target: 'completes',
          pass: false,
          detail: `error: ${error.message}`,
        })),
      );
    }
    return results;
  } finally {
    await remove();
  }
}

function packageVersion(root) {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}

const cliArgs = (root, ...args) => [join(root, 'bin', 'special-agent.js'), ...args];

/** `count` alternating pairs of `node -e 0` and `run()`, after one untimed run of each. */
async function alternate(env, count, run) {
  await timeSpawn(['-e', '0'], env);
  await run();
  const bare = [];
  const runs = [];
  for (let i = 0; i < count; i += 1) {
    bare.push((await timeSpawn(['-e', '0'], env)).ms);
    runs.push(await run());
  }
  return { bare, runs };
}

async function measureVersion(root, env, version) {
  const { bare, runs } = await alternate(env, LOAD.cliRuns, async () => {
    const { ms, output } = await timeSpawn(cliArgs(root, '--version'), env);
    if (output.trim() !== version) throw new Error(`--version printed "${output.trim()}"`);
    return ms;
  });
  return extraAtMost({
    key: 'cliVersion',
    label: 'special-agent --version',
    unit: 'ms',
    gatewayRuns: runs,
    rawRuns: bare,
    extra: TARGETS.cliVersionExtraMs,
  });
}

/** A device list round trip: identity file, connect, handshake, `device.pair.list`, close. */
async function measureDevicesList(root, env) {
  const gateway = await startGateway(root, env);
  try {
    const cliEnv = { ...env, SPECIAL_AGENT_GATEWAY_URL: `ws://127.0.0.1:${gateway.port}/` };
    // The untimed first run also creates the CLI's identity, which the gateway pairs silently.
    const { bare, runs } = await alternate(cliEnv, LOAD.cliRuns, async () => {
      const { ms, output } = await timeSpawn(cliArgs(root, 'devices', 'list', '--json'), cliEnv);
      if (!Array.isArray(JSON.parse(output).paired))
        throw new Error(`devices list --json printed no paired list: ${output}`);
      return ms;
    });
    return extraAtMost({
      key: 'cliDevicesList',
      label: 'special-agent devices list --json',
      unit: 'ms',
      gatewayRuns: runs,
      rawRuns: bare,
      extra: TARGETS.cliDevicesListExtraMs,
    });
  } finally {
    await gateway.stop();
  }
}

/**
 * `npx special-agent --version` in the checkout, each run with an empty npm cache, as in a
 * fresh clone after `npm ci`. Offline, so a bin npx does not find locally fails at once
 * instead of being fetched; npx's own install folder (`_npx`) must stay absent.
 */
async function measureFirstNpx(root, version) {
  const base = {
    key: 'npxFirstVersion',
    label: 'first npx special-agent --version',
    unit: 'ms',
    target: `< ${TARGETS.npxFirstRunMs} ms, no install`,
  };
  const own = ownLocalBin(root);
  if (own !== true) return { ...base, value: NaN, pass: false, detail: own };
  const runs = [];
  let installed = false;
  for (let i = 0; i < LOAD.npxRuns; i += 1) {
    const cache = await mkdtemp(join(tmpdir(), 'special-agent-bench-npm-cache-'));
    try {
      const { ms, output } = await timeSpawn(
        ['special-agent', '--version'],
        npxEnv(cache),
        undefined,
        {
          command: 'npx',
          cwd: root,
        },
      );
      if (output.trim() !== version) throw new Error(`npx printed "${output.trim()}"`);
      installed ||= existsSync(join(cache, '_npx'));
      runs.push(ms);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  }
  const value = median(runs);
  return {
    ...base,
    value,
    pass: value < TARGETS.npxFirstRunMs && !installed,
    detail: installed ? { runs, installed: 'npx installed the project into its cache' } : { runs },
  };
}

/** True when node_modules/.bin/special-agent is this checkout's bin, else why not. */
function ownLocalBin(root) {
  const link = join(root, 'node_modules', '.bin', 'special-agent');
  const bin = realpathSync(join(root, 'bin', 'special-agent.js'));
  if (!existsSync(link)) return 'no node_modules/.bin/special-agent: run npm ci in this checkout';
  if (realpathSync(link) !== bin)
    return `node_modules/.bin/special-agent runs ${realpathSync(link)}, not this checkout's bin: run npm ci here`;
  return true;
}

/** The environment of a shell: none of `npm run`'s npm_* variables, and the given cache. */
function npxEnv(cache) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
  return {
    ...env,
    npm_config_cache: cache,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

/** `special-agent gateway run` to listening; the detail also has the bundled entry's runs. */
async function measureGatewayRun(root, env) {
  const entry = [join(root, 'dist', 'main', 'gateway.js')];
  const entryRuns = [];
  const { bare, runs } = await alternate(env, LOAD.cliRuns, async () => {
    entryRuns.push((await timeSpawn(entry, env, LISTENING)).ms);
    return (await timeSpawn(cliArgs(root, 'gateway', 'run'), env, LISTENING)).ms;
  });
  // The untimed first round pushed one entry run too.
  entryRuns.shift();
  return extraAtMost({
    key: 'cliGatewayRun',
    label: 'gateway run (CLI) to listening',
    unit: 'ms',
    gatewayRuns: runs,
    rawRuns: bare,
    extra: TARGETS.cliGatewayRunExtraMs,
    detail: { entryRuns, cliMinusEntryMs: median(runs) - median(entryRuns) },
  });
}

/** The bundled headless gateway in the background, on a free port. */
function startGateway(root, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'main', 'gateway.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((done) => child.once('exit', done));
    const stop = async () => {
      child.kill('SIGTERM');
      await exited;
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the gateway printed no "${LISTENING}" within ${GATEWAY_START_TIMEOUT_MS} ms`),
      );
    }, GATEWAY_START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const port = /listening on https?:\/\/[^:]+:(\d+)/.exec(output)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ port: Number(port), stop });
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited ${code} before listening: ${output.trim()}`));
    });
  });
}
