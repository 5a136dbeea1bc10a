/**
 * CLI commands against the real Secret Service. Run inside a D-Bus session with an unlocked
 * gnome-keyring (`npm test`, TOOLING.md); skipped, with the reason in the name, when there is
 * none. Each test home keeps its entries under its own service (DESIGN.md "Secrets").
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { defaultHomeDir } from '../../src/main/config/paths.js';
import { keychainServiceForHome } from '../../src/main/secrets/keychain.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { childEnv, runCli } from '../helpers/child.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

const run = promisify(execFile);

/** The keychain service of a test home (never the default home's `special-agent`). */
const serviceOf = (dir: string) => keychainServiceForHome(dir, defaultHomeDir());

/** What `secret-tool` finds for an account of the home `dir` ('' when none). */
async function lookup(dir: string, account: string): Promise<string> {
  return run('secret-tool', ['lookup', 'service', serviceOf(dir), 'username', account]).then(
    (result) => result.stdout,
    () => '',
  );
}

/** Keychain services of the homes used; every entry under them is cleared afterwards. */
const services: string[] = [];
const homes: string[] = [];
let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  if (gateway) services.push(serviceOf(gateway.home));
  await gateway?.stop();
  await provider?.close();
  gateway = undefined;
  provider = undefined;
  for (const service of services.splice(0))
    await run('secret-tool', ['clear', 'service', service]).catch(() => undefined);
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

/** A provider id no other test (or run) uses. */
function uniqueProvider(): string {
  return `kc-${randomBytes(5).toString('hex')}`;
}

async function home(
  config: string | Record<string, unknown>,
): Promise<{ dir: string; file: string; env: NodeJS.ProcessEnv }> {
  const dir = await makeTempHome();
  homes.push(dir);
  services.push(serviceOf(dir));
  const file = join(dir, 'config.json5');
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return { dir, file, env: childEnv(dir) };
}

function withAgent(id: string, baseUrl: string) {
  return {
    gateway: { port: 0 },
    models: { providers: { [id]: { type: 'openai', baseUrl } } },
    agents: { list: [{ id: 'main', model: { provider: id, name: 'm' } }] },
  };
}

describeWithKeychain('CLI with the OS keychain', () => {
  it('configure set stores a provider key in the keychain and removes the plaintext copy, keeping comments', async () => {
    const id = uniqueProvider();
    const { dir, file, env } = await home(`{
  // my providers
  models: { providers: { '${id}': {
    type: 'openai', baseUrl: 'https://api.example.com/v1',
    apiKey: 'sk-plaintext-old-0000', // to be moved
  } } },
}
`);
    const key = `sk-test-${randomBytes(12).toString('hex')}`;
    expect(
      expectOk(await runCli(['configure', 'set', `models.providers.${id}.apiKey`, key], env)),
    ).toBe(`Stored in OS keychain (provider:${id})\n`);
    expect(await lookup(dir, `provider:${id}`)).toBe(key);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(key);
    expect(text).not.toContain('sk-plaintext-old');
    expect(text).toContain('// my providers');
    expect(text).toContain("baseUrl: 'https://api.example.com/v1'");
    expect(expectOk(await runCli(['configure', 'get', `models.providers.${id}.apiKey`], env))).toBe(
      '[stored in the OS keychain]\n',
    );

    // `-` reads the key from stdin, so it never shows in `ps`.
    const fromStdin = `sk-test-${randomBytes(12).toString('hex')}`;
    const result = await runCli(
      ['configure', 'set', `models.providers.${id}.apiKey`, '-'],
      env,
      `${fromStdin}\n`,
    );
    expect(expectOk(result)).not.toContain(fromStdin);
    expect(await lookup(dir, `provider:${id}`)).toBe(fromStdin);

    expect(
      expectOk(await runCli(['configure', 'unset', `models.providers.${id}.apiKey`], env)),
    ).toMatch(/^Removed provider:kc-/);
    expect(await lookup(dir, `provider:${id}`)).toBe('');
  });

  it('onboard --api-key-stdin whose config edit is refused keeps the key already in the keychain', async () => {
    const id = uniqueProvider();
    const { dir, file, env } = await home({
      models: { providers: { [id]: { type: 'openai', baseUrl: 'https://api.example.com/v1' } } },
    });
    const before = await readFile(file, 'utf8');
    const oldKey = `sk-old-${randomBytes(12).toString('hex')}`;
    expectOk(await runCli(['configure', 'set', `models.providers.${id}.apiKey`, oldKey], env));
    const result = await runCli(
      [
        'onboard',
        '--non-interactive',
        '--auth-mode',
        'none',
        '--provider',
        'openai',
        '--provider-id',
        id,
        '--base-url',
        'not a url',
        '--api-key-stdin',
        '--force',
      ],
      env,
      `sk-new-${randomBytes(12).toString('hex')}\n`,
    );
    expect(result.code, 'the exit of an onboarding whose edit is refused').toBe(78);
    expect(await lookup(dir, `provider:${id}`), 'the key in the keychain afterwards').toBe(oldKey);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('models auth-status shows the keychain as the source, and the env var when it is set', async () => {
    const id = uniqueProvider();
    const { env } = await home(withAgent(id, 'https://api.example.com/v1'));
    const key = `sk-test-${randomBytes(12).toString('hex')}`;
    expectOk(await runCli(['configure', 'set', `models.providers.${id}.apiKey`, key], env));
    const fromKeychain = await runCli(['models', 'auth-status'], env);
    expect(expectOk(fromKeychain)).toMatch(
      new RegExp(
        `${id}\\s+openai\\s+https://api\\.example\\.com/v1\\s+keychain\\s+…${key.slice(-4)}\\s+ok`,
      ),
    );
    expect(fromKeychain.stdout).not.toContain(key);

    const envVar = `${id.toUpperCase().replace(/-/g, '_')}_API_KEY`;
    const fromEnv = await runCli(['models', 'auth-status', '--json'], {
      ...env,
      [envVar]: 'sk-from-env-abcdefgh',
    });
    const status = JSON.parse(expectOk(fromEnv)) as { providers: { credential: unknown }[] };
    expect(status.providers[0]?.credential).toEqual({ source: 'env', envVar, masked: '…efgh' });
    expect(
      expectOk(
        await runCli(['models', 'auth-status'], { ...env, [envVar]: 'sk-from-env-abcdefgh' }),
      ),
    ).toContain(`env (${envVar})`);
  });

  it("models auth-status exits 1 with the fix when an agent's provider has no key", async () => {
    const id = uniqueProvider();
    const { env } = await home(withAgent(id, 'https://api.example.com/v1'));
    const result = await runCli(['models', 'auth-status'], env);
    expectOneLineFailure(
      result,
      1,
      new RegExp(
        `^special-agent: No credentials found for provider "${id}" \\(fix: special-agent configure set models\\.providers\\.${id}\\.apiKey -\\)$`,
      ),
    );
  });

  it('models auth-status --probe reports ok for the accepted key and rejected (401) for another', async () => {
    const id = uniqueProvider();
    const good = `sk-good-${randomBytes(8).toString('hex')}`;
    provider = await startFakeProvider('openai', { apiKey: good });
    const { env } = await home(withAgent(id, provider.baseUrl));
    expectOk(await runCli(['configure', 'set', `models.providers.${id}.apiKey`, good], env));
    expect(expectOk(await runCli(['models', 'auth-status', '--probe'], env))).toMatch(
      /ok\s+ok \(\d+ ms\)/,
    );
    expectOk(
      await runCli(
        ['configure', 'set', `models.providers.${id}.apiKey`, 'sk-wrong-key-123456'],
        env,
      ),
    );
    const rejected = await runCli(['models', 'auth-status', '--probe'], env);
    expect(rejected.stdout).toMatch(/invalid\s+rejected \(401\)/);
    expectOneLineFailure(rejected, 1, new RegExp(`provider "${id}" rejected its API key`));
  });

  it('onboard generates a 32-byte gateway token into the keychain, keeps it on a second run, and the gateway accepts it', async () => {
    const { dir, env } = await home({ gateway: { port: 0 } });
    const first = expectOk(
      await runCli(['onboard', '--non-interactive', '--auth-mode', 'token'], env),
    );
    expect(first).toContain('generated and stored in the OS keychain');
    const token = (await lookup(dir, 'gateway:token')).trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first).not.toContain(token);
    expect(
      expectOk(await runCli(['onboard', '--non-interactive', '--auth-mode', 'token'], env)),
    ).toContain('kept (keychain)');
    expect((await lookup(dir, 'gateway:token')).trim()).toBe(token);

    gateway = await startTestGateway({ home: dir, env: { SPECIAL_AGENT_GATEWAY_TOKEN: '' } });
    // The CLI signs in with the keychain's token (no env token) and prints an invite, not it.
    const url = expectOk(
      await runCli(
        ['dashboard', '--no-open'],
        cliEnvFor(gateway, { SPECIAL_AGENT_GATEWAY_TOKEN: undefined }),
      ),
    );
    expect(url).toMatch(/#invite=/);
    expect(url).not.toContain(token);
    const { hello } = await connectDevice(gateway, { auth: { token } });
    expect(hello.type).toBe('hello-ok');
  });

  it("chat exits 1 with the PROVIDER_NO_CREDENTIALS message when the agent's provider has no key", async () => {
    const id = uniqueProvider();
    gateway = await startTestGateway({ config: withAgent(id, 'https://api.example.com/v1') });
    expectOneLineFailure(
      await runCli(['chat', 'hi'], cliEnvFor(gateway)),
      1,
      new RegExp(`No credentials found for provider "${id}"`),
    );
  });
});
