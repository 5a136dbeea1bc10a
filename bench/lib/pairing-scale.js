/**
 * The pairing store at scale (issue "Performance, round 2"): the same gateway build on a
 * home with LARGE paired devices against one with SMALL, measured in alternating rounds:
 *
 * - the longest main-thread stall (event-loop delay max, in the gateway process) while new
 *   devices pair (shared token from loopback: silent approval + device token, two writes);
 * - the round trip of `device.pair.list` for its first page of `listPageLimit` devices;
 * - restart: spawn of dist/main/gateway.js to its `listening` line on each home, as the
 *   gateway left it (devices.json plus whatever journal the run wrote).
 *
 * Both homes start from a generated store in the format version 2 file of the previous
 * release (no journal), so the run also exercises the first start after an upgrade.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { closeSocket, newDevice, openAuthenticated, CLIENT_TIMEOUT_MS } from './clients.js';
import { ELD_RESOLUTION_MS } from './control.js';
import { median } from './load.js';
import { extraAtMost } from './metrics.js';
import { startServerProcess } from './server-process.js';
import { timeSpawn } from './startup.js';

/** Sizes and targets of this group (issue "Performance, round 2"); never loosen a target. */
export const PAIRING_SCALE = {
  largeDevices: 10_000,
  smallDevices: 10,
  /** Alternating small/large rounds; verdicts use the median of per-round ratios. */
  rounds: 7,
  pairingsPerRound: 5,
  listCallsPerRound: 15,
  /** Page size asked for, so both homes return the same number of records. */
  listPageLimit: 10,
  restartRuns: 5,
  /** New pairing stall @large, at most this × the stall @small ... */
  stallRatio: 3,
  /** ... and at most this many ms. */
  stallMaxMs: 20,
  /** `device.pair.list` first page @large, at most this × @small. */
  listRatio: 2,
  /** Restart to listening @large, at most @small + this many ms. */
  restartExtraMs: 150,
};

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, 'pairing-scale-server.js');
const ADMIN_SCOPES = ['operator.admin', 'operator.pairing', 'operator.read'];

/** A format version 2 `devices.json` (the previous release's) with `count` paired devices. */
export function storeWithDevices(count) {
  const start = Date.UTC(2025, 0, 1);
  const paired = {};
  for (let i = 0; i < count; i += 1) {
    const publicKey = createHash('sha256').update(`bench-key-${i}`).digest('base64url');
    const deviceId = createHash('sha256').update(publicKey).digest('hex');
    const at = start + i * 1000;
    paired[deviceId] = {
      deviceId,
      publicKey,
      displayName: `Bench device ${i}`,
      platform: 'linux',
      clientId: 'special-agent-cli',
      roles: ['operator'],
      scopes: ['operator.read', 'operator.write'],
      createdAtMs: at,
      approvedAtMs: at,
      approvedBy: 'local-auto',
      lastSeenAtMs: at + 5000,
      remoteIp: '127.0.0.1',
      tokens: [
        {
          role: 'operator',
          hash: createHash('sha256').update(`bench-token-${i}`).digest('hex'),
          createdAtMs: at,
          lastUsedAtMs: at + 5000,
        },
      ],
    };
  }
  return `${JSON.stringify({ version: 2, pending: {}, paired, invites: {}, ignored: {} }, null, 2)}\n`;
}

async function prepareHome(count) {
  const home = await mkdtemp(join(tmpdir(), `special-agent-bench-pairing-${count}-`));
  await writeFile(join(home, 'config.json5'), '{ gateway: { port: 0 } }\n');
  await mkdir(join(home, 'state'), { mode: 0o700 });
  await writeFile(join(home, 'state', 'devices.json'), storeWithDevices(count), { mode: 0o600 });
  const token = randomBytes(32).toString('base64url');
  const env = {
    ...process.env,
    SPECIAL_AGENT_HOME: home,
    SPECIAL_AGENT_CONFIG: '',
    SPECIAL_AGENT_GATEWAY_TOKEN: token,
  };
  return { home, token, env, count };
}

/** A new local device: first connect with the shared token pairs it silently. */
async function pairNewDevice(url, token) {
  const { ws, hello } = await openAuthenticated(url, newDevice(), { token });
  await closeSocket(ws);
  if (!hello.auth?.deviceToken) throw new Error('the gateway issued no device token');
}

/**
 * The worst event-loop delay in the gateway while `pairingsPerRound` new devices pair. The
 * histogram samples every ELD_RESOLUTION_MS, so a stall shorter than that counts as that
 * long: below it, the ratio of two sub-millisecond maxima is noise, not a difference.
 */
async function pairingStallMs(side) {
  await side.server.call('eld-start');
  for (let i = 0; i < PAIRING_SCALE.pairingsPerRound; i += 1)
    await pairNewDevice(side.url, side.token);
  return Math.max(ELD_RESOLUTION_MS, (await side.server.call('eld-stop')).maxMs);
}

/** `{type:'req'}` with params on an open socket; resolves with the text and parsed frame. */
function request(ws, method, params) {
  const id = randomBytes(6).toString('hex');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), CLIENT_TIMEOUT_MS);
    const onMessage = (data) => {
      const text = data.toString('utf8');
      const frame = JSON.parse(text);
      if (frame.id !== id) return;
      ws.off('message', onMessage);
      clearTimeout(timer);
      resolve({ text, frame });
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'req', id, method, params }));
  });
}

/** Params of the first page; `{}` on a gateway that does not page (the baseline build). */
async function firstPageParams(ws) {
  const params = { limit: PAIRING_SCALE.listPageLimit };
  const { frame } = await request(ws, 'device.pair.list', params);
  return frame.ok ? params : {};
}

/** Median round trip (ms) of `device.pair.list` with `params`, and the last answer's size. */
async function listMs(ws, params) {
  const samples = [];
  let bytes = 0;
  let records = 0;
  for (let i = 0; i < PAIRING_SCALE.listCallsPerRound; i += 1) {
    const started = performance.now();
    const { text, frame } = await request(ws, 'device.pair.list', params);
    samples.push(performance.now() - started);
    if (!frame.ok)
      throw new Error(`device.pair.list: ${frame.error?.code} ${frame.error?.message}`);
    bytes = Buffer.byteLength(text);
    records = frame.payload.paired.length;
  }
  return { ms: median(samples), bytes, records };
}

/** A result whose target is `large / small <= max` (median of per-round ratios). */
function ratioAtMost({ key, label, unit, largeRuns, smallRuns, max, extraTarget, detail }) {
  const ratio = median(largeRuns.map((value, i) => value / smallRuns[i]));
  const value = median(largeRuns);
  const withinCap = extraTarget === undefined || value <= extraTarget.max;
  return {
    key,
    label,
    unit,
    value,
    baseline: median(smallRuns),
    ratio,
    target: `<= ${max.toFixed(2)}×${extraTarget ? `, <= ${extraTarget.max} ${unit}` : ''}`,
    pass: ratio <= max && withinCap,
    detail: { largeRuns, smallRuns, ...detail },
  };
}

async function startSide(home) {
  const server = await startServerProcess(SERVER, { env: home.env });
  const url = `ws://127.0.0.1:${server.info.port}/`;
  const side = { ...home, server, url };
  // The first write after an upgrade may rewrite the whole store once: not measured.
  await pairNewDevice(url, home.token);
  const admin = await openAuthenticated(url, newDevice(), { token: home.token }, ADMIN_SCOPES);
  side.admin = admin.ws;
  return side;
}

/** Runs the group; returns the three result rows. */
export async function measurePairingScale(root) {
  const small = await prepareHome(PAIRING_SCALE.smallDevices);
  const large = await prepareHome(PAIRING_SCALE.largeDevices);
  const sides = [];
  try {
    const setupStarted = performance.now();
    sides.push(await startSide(small), await startSide(large));
    const [s, l] = sides;
    const setupMs = performance.now() - setupStarted;
    const stall = { small: [], large: [] };
    const list = { small: [], large: [] };
    const params = await firstPageParams(l.admin);
    for (let round = 0; round < PAIRING_SCALE.rounds; round += 1) {
      stall.small.push(await pairingStallMs(s));
      stall.large.push(await pairingStallMs(l));
      list.small.push(await listMs(s.admin, params));
      list.large.push(await listMs(l.admin, params));
    }
    const defaultPage = await listMs(l.admin, {});
    await Promise.all(sides.map((side) => closeSocket(side.admin)));
    await Promise.all(sides.splice(0).map((side) => side.server.stop()));

    const gatewayArgs = [join(root, 'dist', 'main', 'gateway.js')];
    const LISTENING = 'special-agent gateway listening on';
    await timeSpawn(gatewayArgs, small.env, LISTENING);
    await timeSpawn(gatewayArgs, large.env, LISTENING);
    const restart = { small: [], large: [] };
    for (let i = 0; i < PAIRING_SCALE.restartRuns; i += 1) {
      restart.small.push((await timeSpawn(gatewayArgs, small.env, LISTENING)).ms);
      restart.large.push((await timeSpawn(gatewayArgs, large.env, LISTENING)).ms);
    }

    const at = `@${PAIRING_SCALE.largeDevices.toLocaleString('en')} vs @${PAIRING_SCALE.smallDevices}`;
    return [
      ratioAtMost({
        key: 'pairingStall@10000',
        label: `new pairing stall ${at}`,
        unit: 'ms',
        largeRuns: stall.large,
        smallRuns: stall.small,
        max: PAIRING_SCALE.stallRatio,
        extraTarget: { max: PAIRING_SCALE.stallMaxMs },
        detail: {
          pairingsPerRound: PAIRING_SCALE.pairingsPerRound,
          floorMs: ELD_RESOLUTION_MS,
          setupMs,
        },
      }),
      ratioAtMost({
        key: 'pairList@10000',
        label: `device.pair.list page ${at}`,
        unit: 'ms',
        largeRuns: list.large.map((r) => r.ms),
        smallRuns: list.small.map((r) => r.ms),
        max: PAIRING_SCALE.listRatio,
        detail: {
          params,
          records: { large: list.large[0]?.records, small: list.small[0]?.records },
          bytes: { large: list.large[0]?.bytes, small: list.small[0]?.bytes },
          defaultPageLarge: defaultPage,
        },
      }),
      extraAtMost({
        key: 'restart@10000',
        label: `restart to listening ${at}`,
        unit: 'ms',
        gatewayRuns: restart.large,
        rawRuns: restart.small,
        extra: PAIRING_SCALE.restartExtraMs,
      }),
    ];
  } finally {
    for (const side of sides) {
      if (side.admin?.readyState === WebSocket.OPEN) side.admin.terminate();
      await side.server.stop().catch(() => undefined);
    }
    await rm(small.home, { recursive: true, force: true });
    await rm(large.home, { recursive: true, force: true });
  }
}
