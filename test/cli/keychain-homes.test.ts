/**
 * Two homes in one D-Bus session never see each other's secrets (DESIGN.md "Secrets"): a home
 * other than `<os home>/.special-agent` keeps its entries under the service
 * `special-agent@<first 12 hex of sha256(realpath(home))>`. The hash is computed here on its
 * own, so these tests check the rule, not the function under test.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import { childEnv, runCli } from '../helpers/child.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { expectOk, expectOneLineFailure } from './cli-test-support.js';

const run = promisify(execFile);

/** The service a non-default home's entries live under, by the rule of DESIGN.md. */
function serviceOf(home: string): string {
  const hash = createHash('sha256').update(realpathSync.native(home)).digest('hex');
  return `special-agent@${hash.slice(0, 12)}`;
}

/** What `secret-tool` finds under `service` for `account` ('' when none). */
async function lookup(service: string, account: string): Promise<string> {
  return run('secret-tool', ['lookup', 'service', service, 'username', account]).then(
    (result) => result.stdout,
    () => '',
  );
}

/** Stores `value` under `service` the way another Secret Service client would. */
async function store(service: string, account: string, value: string): Promise<void> {
  const child = execFile('secret-tool', [
    'store',
    '--label',
    'test entry',
    'service',
    service,
    'username',
    account,
  ]);
  child.stdin?.end(value);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  expect(code, `secret-tool store ${service} ${account}`).toBe(0);
}

const folders: string[] = [];
/** Entries to clear afterwards, as `[service, account]`. */
const entries: [string, string][] = [];
const gateways: TestGateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  for (const [service, account] of entries.splice(0))
    await run('secret-tool', ['clear', 'service', service, 'username', account]).catch(
      () => undefined,
    );
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** A temp home whose config names provider `id` and an agent using it. */
async function homeWithProvider(id: string): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await makeTempHome();
  folders.push(dir);
  await writeFile(join(dir, 'config.json5'), JSON.stringify(providerConfig(id), null, 2));
  return { dir, env: childEnv(dir) };
}

function providerConfig(id: string) {
  return {
    gateway: { port: 0 },
    models: { providers: { [id]: { type: 'openai', baseUrl: 'https://api.example.com/v1' } } },
    agents: { list: [{ id: 'main', model: { provider: id, name: 'm' } }] },
  };
}

describeWithKeychain('secrets of two homes in one keychain', () => {
  it("keeps a provider key set through the CLI in one home out of another home's configure get and auth-status", async () => {
    const id = `kh-${randomBytes(5).toString('hex')}`;
    const account = `provider:${id}`;
    const a = await homeWithProvider(id);
    const b = await homeWithProvider(id);
    entries.push(
      [serviceOf(a.dir), account],
      [serviceOf(b.dir), account],
      ['special-agent', account],
    );
    const key = `sk-home-a-${randomBytes(12).toString('hex')}`;

    expectOk(await runCli(['configure', 'set', `models.providers.${id}.apiKey`, key], a.env));
    expect(
      expectOk(await runCli(['configure', 'get', `models.providers.${id}.apiKey`], a.env)),
    ).toBe('[stored in the OS keychain]\n');

    expectOneLineFailure(
      await runCli(['configure', 'get', `models.providers.${id}.apiKey`], b.env),
      1,
      new RegExp(`is not set \\(.*no keychain entry ${account}\\)`),
    );
    const fromB = await runCli(['models', 'auth-status', '--json'], b.env);
    expect(fromB.code).toBe(1);
    const status = JSON.parse(fromB.stdout) as { providers: { credential: unknown }[] };
    expect(status.providers[0]?.credential).toMatchObject({ source: 'none' });
    expect(fromB.stdout + fromB.stderr).not.toContain(key.slice(-4));

    expect(await lookup(serviceOf(a.dir), account)).toBe(key);
    expect(await lookup('special-agent', account)).toBe('');
  });

  it("does not fall back to the default home's entries from another home", async () => {
    const id = `kh-${randomBytes(5).toString('hex')}`;
    const account = `provider:${id}`;
    entries.push(['special-agent', account]);
    const shared = `sk-default-home-${randomBytes(12).toString('hex')}`;
    await store('special-agent', account, shared);

    const other = await homeWithProvider(id);
    expectOneLineFailure(
      await runCli(['configure', 'get', `models.providers.${id}.apiKey`], other.env),
      1,
      /is not set/,
    );

    // The default home (SPECIAL_AGENT_HOME unset, a stand-in OS home) still reads service
    // "special-agent": nothing moves for existing users.
    const osHome = await makeTempHome();
    folders.push(osHome);
    const defaultHome = join(osHome, '.special-agent');
    await mkdir(defaultHome);
    await writeFile(join(defaultHome, 'config.json5'), JSON.stringify(providerConfig(id)));
    const env = childEnv(defaultHome, { HOME: osHome, SPECIAL_AGENT_HOME: undefined });
    const status = JSON.parse(expectOk(await runCli(['models', 'auth-status', '--json'], env))) as {
      providers: { credential: unknown }[];
    };
    expect(status.providers[0]?.credential).toMatchObject({
      source: 'keychain',
      masked: `…${shared.slice(-4)}`,
    });
  });

  it('gives two gateways with different homes their own generated token, each refusing the other', async () => {
    for (let i = 0; i < 2; i++) {
      const home = await makeTempHome();
      folders.push(home);
      entries.push([serviceOf(home), 'gateway:token']);
      gateways.push(await startTestGateway({ home, config: {}, noEnvToken: true }));
    }
    const [a, b] = gateways as [TestGateway, TestGateway];
    // Each home's own keychain entry, as `secret-tool lookup` shows it.
    const tokenOf = async (gateway: TestGateway) =>
      (await lookup(serviceOf(gateway.home), 'gateway:token')).trim();
    const tokenA = await tokenOf(a);
    const tokenB = await tokenOf(b);
    expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenB).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenB).not.toBe(tokenA);
    const accepted = await connectDevice(a, { auth: { token: tokenA } });
    expect(accepted.hello.type).toBe('hello-ok');
    accepted.client.close();
    await expect(connectDevice(b, { auth: { token: tokenA } })).rejects.toMatchObject({
      details: { code: 'AUTH_TOKEN_MISMATCH' },
    });
  });
});
