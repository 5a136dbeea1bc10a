import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, runCli } from '../helpers/child.js';
import {
  makeTempHome,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure, spawnCli } from './cli-test-support.js';

let gateway: TestGateway | undefined;
const temps: string[] = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'special-agent-cli-'));
  temps.push(dir);
  return dir;
}

/** A port nothing listens on (the gateway we just stopped held it). */
async function deadGatewayEnv(): Promise<{ env: NodeJS.ProcessEnv; port: number; home: string }> {
  const gw = await startTestGateway();
  const port = gw.app.port;
  const home = await tempDir();
  await gw.stop();
  await writeConfig(home, { gateway: { port } });
  return { env: childEnv(home), port, home };
}

describe('special-agent gateway status', () => {
  it('prints the status payload with --json and a one-line summary without it', async () => {
    gateway = await startTestGateway();
    const env = cliEnvFor(gateway);
    const status = JSON.parse(
      expectOk(await runCli(['gateway', 'status', '--json'], env)),
    ) as Record<string, unknown>;
    expect(status).toMatchObject({
      port: gateway.app.port,
      bind: 'loopback',
      authMode: 'token',
      pendingPairings: 0,
    });
    expect(status.connections).toBeGreaterThanOrEqual(1);
    expect(Object.keys(status).sort()).toEqual([
      'authMode',
      'bind',
      'connections',
      'keychain',
      'pendingPairings',
      'port',
      'tls',
      'uptimeMs',
      'version',
    ]);

    const line = expectOk(await runCli(['gateway', 'status'], env));
    expect(line).toMatch(
      new RegExp(
        `^Gateway on 127\\.0\\.0\\.1:${gateway.app.port} · token \\(env\\) · up \\d+s · \\d+ connections? · 0 pending pairing · keychain: (available|unavailable)\\n$`,
      ),
    );
  });

  it('exits 1 with the "start one" hint when no gateway answers at the configured port', async () => {
    const { env, port } = await deadGatewayEnv();
    const result = await runCli(['gateway', 'status', '--json'], env);
    expect(result.stdout).toBe('');
    expectOneLineFailure(
      result,
      1,
      new RegExp(
        `^special-agent: no gateway running at http://127\\.0\\.0\\.1:${port} \\(start one with: special-agent gateway run, or npm run gateway\\)$`,
      ),
    );
  });

  it('names the PID in the gateway lock when that process is alive', async () => {
    const { env, home } = await deadGatewayEnv();
    await mkdir(join(home, 'state'), { recursive: true });
    await writeFile(
      join(home, 'state', 'gateway.lock'),
      JSON.stringify({ pid: process.pid, startedAtMs: Date.now() }),
    );
    expectOneLineFailure(
      await runCli(['gateway', 'status'], env),
      1,
      new RegExp(`no gateway running.*PID ${process.pid}, which is running`),
    );
  });
});

describe('special-agent gateway run', () => {
  it('runs the gateway with --port, answers status, and exits 0 on SIGTERM', async () => {
    const home = await tempDir();
    await writeConfig(home, { gateway: { port: 1 } });
    const env = childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: 'run-test-token-0123456789' });
    const run = spawnCli(['gateway', 'run', '--port', '0'], env);
    const [, url] = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const status = JSON.parse(
      expectOk(
        await runCli(['gateway', 'status', '--json'], {
          ...env,
          SPECIAL_AGENT_GATEWAY_URL: url?.replace('http', 'ws'),
        }),
      ),
    ) as { authMode: string };
    expect(status.authMode).toBe('token');
    // The file says port 1: the hint names the port this run listens on, and works.
    const [, hint] = await run.waitFor(/Open the Control UI with: special-agent (dashboard.*)\n/);
    expect(hint, 'the dashboard hint of a gateway run with --port').toBe(
      `dashboard --url ${url?.replace(/\/$/, '')}`,
    );
    const link = expectOk(await runCli([...(hint ?? '').split(' '), '--no-open'], env));
    expect(link).toContain('#invite=');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it('refuses a bad --port as a usage error (exit 2)', async () => {
    const home = await tempDir();
    expectOneLineFailure(
      await runCli(['gateway', 'run', '--port', 'eighty'], childEnv(home)),
      2,
      /port/,
    );
  });

  it('refuses a --bind that is no keyword nor IP as a usage error (exit 2), writing nothing', async () => {
    const home = await tempDir();
    expectOneLineFailure(
      await runCli(['gateway', 'run', '--bind', 'localhost'], childEnv(home)),
      2,
      /expected loopback, lan, tailnet or an IP address/,
    );
    await expect(readdir(home), 'the home after a refused --bind').resolves.toEqual([]);
  });
});

// `dashboard` itself is in dashboard.test.ts.
describe('the CLI device identity', () => {
  it('creates the CLI device identity as a 0600 file in a 0700 folder and refuses a corrupt one by name', async () => {
    gateway = await startTestGateway();
    const env = cliEnvFor(gateway);
    expectOk(await runCli(['devices', 'list', '--json'], env));
    const file = join(gateway.home, 'identity', 'cli-device.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(gateway.home, 'identity'))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      privateKeyJwk: { kty: string; crv: string };
    };
    expect(stored.privateKeyJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });

    await writeFile(file, '{ not json');
    expectOneLineFailure(
      await runCli(['devices', 'list'], env),
      1,
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is unusable`),
    );
    expect(await readFile(file, 'utf8')).toBe('{ not json');
  });
});

it('uses SPECIAL_AGENT_GATEWAY_URL and names it when nobody listens there', async () => {
  const home = await makeTempHome();
  temps.push(home);
  expectOneLineFailure(
    await runCli(
      ['devices', 'list'],
      childEnv(home, { SPECIAL_AGENT_GATEWAY_URL: 'ws://127.0.0.1:1' }),
    ),
    1,
    /no gateway running at http:\/\/127\.0\.0\.1:1 /,
  );
});
