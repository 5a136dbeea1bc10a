/**
 * The two gateways of the peer bench and how each is started headless on a loopback port
 * with token auth and a private temp home: special-agent from dist/main/gateway.js on this
 * Node, OpenClaw from the cache install on Node 22.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BENCH_CLIENT } from '../lib/clients.js';

/** OpenClaw's connect schema accepts only its own client ids; `test` is the one for tools like this. */
const PEER_CLIENT = { id: 'test', version: '0.0.0', platform: 'linux', mode: 'test' };

/** The peer's pre-auth socket cap per address, above the bench's largest concurrency. */
const PREAUTH_SOCKETS = 256;

/** Shared tokens of both sides: 32 random bytes, base64url, given in the environment only. */
const newToken = () => randomBytes(32).toString('base64url');

/**
 * special-agent: the bundled headless entry, config `{gateway:{port}}`, token from the env.
 * `live` collects the pids of running gateways (see proc.js `startGateway`).
 */
export function ourSide(root, live) {
  return {
    name: 'special-agent',
    client: BENCH_CLIENT,
    async home(port) {
      const dir = await mkdtemp(join(tmpdir(), 'special-agent-bench-peer-ours-'));
      await writeFile(join(dir, 'config.json5'), `{ gateway: { port: ${port} } }\n`);
      const token = newToken();
      return {
        token,
        command: process.execPath,
        args: [join(root, 'dist', 'main', 'gateway.js')],
        env: {
          ...process.env,
          SPECIAL_AGENT_HOME: dir,
          SPECIAL_AGENT_CONFIG: '',
          SPECIAL_AGENT_GATEWAY_TOKEN: token,
        },
        cwd: dir,
        live,
        remove: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

/**
 * OpenClaw `gateway run` with `gateway.mode: "local"` in a private config (so no onboarding
 * and no `--allow-unconfigured`), state and HOME in a temp folder, and a minimal
 * environment (none of the user's API keys reach a third-party process). Turned off, because
 * they reach the network or the LAN: the npm update check, Bonjour advertising, and the
 * bundled `acpx` plugin (it runs `npx @zed-industries/codex-acp` at start). Each of these
 * only makes the peer lighter, never heavier.
 */
export function peerSide(install, live) {
  return {
    name: 'OpenClaw',
    client: PEER_CLIENT,
    async home(port) {
      const dir = await mkdtemp(join(tmpdir(), 'special-agent-bench-peer-openclaw-'));
      const home = join(dir, 'home');
      await mkdir(home);
      const config = {
        gateway: { mode: 'local', port, bind: 'loopback', auth: { mode: 'token' } },
        update: { checkOnStart: false },
        plugins: { entries: { acpx: { enabled: false } } },
      };
      const configPath = join(dir, 'openclaw.json');
      await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
      const token = newToken();
      return {
        token,
        command: install.nodeBin,
        args: [install.openclawEntry, 'gateway', 'run'],
        env: {
          PATH: `${install.nodeBinDir}${delimiter}${process.env.PATH ?? ''}`,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          XDG_CACHE_HOME: join(home, '.cache'),
          XDG_DATA_HOME: join(home, '.local', 'share'),
          TMPDIR: process.env.TMPDIR ?? tmpdir(),
          LANG: process.env.LANG ?? 'C.UTF-8',
          NO_COLOR: '1',
          OPENCLAW_STATE_DIR: join(dir, 'state'),
          OPENCLAW_CONFIG_PATH: configPath,
          OPENCLAW_GATEWAY_TOKEN: token,
          // Serve from the spawned process itself, so its pid is the gateway's.
          OPENCLAW_NO_RESPAWN: '1',
          OPENCLAW_DISABLE_BONJOUR: '1',
          // Its default of 32 sockets before `hello-ok` per address answers 503 to the
          // 50-client handshake loop (special-agent exempts loopback clients from that cap).
          OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP: String(PREAUTH_SOCKETS),
        },
        cwd: dir,
        live,
        remove: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}
