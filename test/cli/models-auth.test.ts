/**
 * `special-agent models auth add|remove|order`, `models auth-status` and `models list`, run
 * as a user runs them: a child process on a temp home with the real Secret Service, no
 * gateway (like `configure`), and a running gateway that picks the change up.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import JSON5 from 'json5';
import { afterEach, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { keychainForHome } from '../../src/main/secrets/keychain.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import type { AuthProfile, ChatEvent, ModelListPayload } from '../../src/shared/protocol.js';
import { childEnv, runCli } from '../helpers/child.js';
import { within } from '../helpers/within.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

let home: string | undefined;
let gateway: TestGateway | undefined;
const fakes: FakeProvider[] = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const fake of fakes.splice(0)) await fake.close();
  if (home) {
    const keychain = keychainForHome(home);
    for (const account of await keychain.listAccounts()) await keychain.delete(account);
    await rm(home, { recursive: true, force: true });
  }
  home = undefined;
});

const newKey = (label: string) => `sk-${label}-${randomBytes(12).toString('hex')}`;

async function homeWith(baseUrl: string): Promise<NodeJS.ProcessEnv> {
  home = await makeTempHome();
  await writeConfig(home, {
    models: { providers: { cloud: { type: 'openai', baseUrl } } },
    agents: { list: [{ id: 'main', model: { provider: 'cloud', name: 'm1' } }] },
  });
  return childEnv(home);
}

async function fake(behaviour: Parameters<typeof startFakeProvider>[1] = {}) {
  const provider = await startFakeProvider('openai', { pauseMs: 0, ...behaviour });
  fakes.push(provider);
  return provider;
}

describeWithKeychain('special-agent models auth (real Secret Service, no gateway)', () => {
  it('adds profiles from stdin, orders them, shows them masked, and removes one', async () => {
    const env = await homeWith('https://api.example.invalid/v1');
    const [work, home2] = [newKey('work'), newKey('personal')];

    const added = expectOk(
      await runCli(['models', 'auth', 'add', 'cloud', 'work'], env, `${work}\n`),
    );
    expect(added).toBe(`Stored profile work of cloud in the OS keychain (…${work.slice(-4)})\n`);
    const json = expectOk(
      await runCli(['models', 'auth', 'add', 'cloud', 'personal', '--json'], env, home2),
    );
    expect(JSON.parse(json)).toMatchObject({
      profile: { provider: 'cloud', profile: 'personal', source: 'keychain', state: 'ready' },
    });
    expect(await keychainForHome(home!).get('provider:cloud:work')).toBe(work);

    expectOk(await runCli(['models', 'auth', 'order', 'cloud', 'work', 'personal'], env));
    expect((await configFile()).models.providers.cloud?.auth).toEqual({
      order: ['work', 'personal'],
    });

    const status = expectOk(await runCli(['models', 'auth-status', '--json'], env));
    const profiles = (JSON.parse(status) as { profiles: AuthProfile[] }).profiles;
    expect(profiles.map((row) => [row.profile, row.order, row.masked, row.state])).toEqual([
      ['work', 1, `…${work.slice(-4)}`, 'ready'],
      ['personal', 2, `…${home2.slice(-4)}`, 'ready'],
    ]);
    const table = expectOk(await runCli(['models', 'auth-status'], env));
    expect(table).toMatch(/PROFILE\s+#\s+SOURCE\s+KEY\s+STATE\s+UNTIL\s+LAST USED\s+LAST ERROR/);
    expect(table).toMatch(/cloud\s+work\s+1\s+keychain\s+…\S{4}\s+ready/);

    expect(expectOk(await runCli(['models', 'auth', 'remove', 'cloud', 'work'], env))).toBe(
      'Removed profile work of cloud from the OS keychain\n',
    );
    expect(await keychainForHome(home!).get('provider:cloud:work')).toBeNull();
    // Removing a profile also drops it from the order, so the config never names a ghost.
    expect((await configFile()).models.providers.cloud?.auth).toEqual({ order: ['personal'] });
    for (const text of [added, json, status, table]) {
      expect(text).not.toContain(work);
      expect(text).not.toContain(home2);
    }
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const env = await homeWith('https://api.example.invalid/v1');
    expectOneLineFailure(
      await runCli(['models', 'auth', 'add', 'cloud', 'work'], env, ''),
      1,
      /no value on stdin \(pipe it in, e\.g\. printf %s "\$KEY" \| special-agent models auth add cloud work\)/,
    );
    expectOneLineFailure(
      await runCli(['models', 'auth', 'add', 'nope', 'work'], env, newKey('x')),
      1,
      /provider "nope" not found/,
    );
    expectOneLineFailure(
      await runCli(['models', 'auth', 'add', 'cloud', 'Bad Name'], env, newKey('x')),
      2,
      /invalid profile name "Bad Name"/,
    );
    // The key is never an argument: a third argument is a usage error.
    expectOneLineFailure(
      await runCli(['models', 'auth', 'add', 'cloud', 'work', newKey('arg')], env),
      2,
      /too many arguments/,
    );
    expectOneLineFailure(
      await runCli(['models', 'auth', 'order', 'cloud', 'ghost'], env),
      1,
      /profile "ghost" of provider "cloud" not found/,
    );
    expect(await keychainForHome(home!).listAccounts()).toEqual([]);
  });

  it('lists a provider’s models as a table and as the models.list payload', async () => {
    const provider = await fake({ models: [{ id: 'alpha', owned_by: 'acme' }, { id: 'beta' }] });
    const env = await homeWith(provider.baseUrl);
    const table = expectOk(await runCli(['models', 'list', 'cloud'], env));
    expect(table).toMatch(/^MODEL\s+OWNED BY\nalpha\s+acme\nbeta\s+-\n$/);
    const json = JSON.parse(
      expectOk(await runCli(['models', 'list', 'cloud', '--json'], env)),
    ) as ModelListPayload;
    expect(json).toEqual({
      provider: 'cloud',
      models: [{ id: 'alpha', ownedBy: 'acme' }, { id: 'beta' }],
      fetchedAtMs: expect.any(Number),
    });
  });

  it('adds a profile that a running gateway uses on its very next chat', async () => {
    const first = newKey('first');
    const second = newKey('second');
    const provider = await fake({
      keys: { [first]: { status: 401 }, [second]: 'ok' },
      deltas: ['ok'],
    });
    gateway = await startTestGateway({
      config: {
        models: { providers: { cloud: { type: 'openai', baseUrl: provider.baseUrl } } },
        agents: { list: [{ id: 'main', model: { provider: 'cloud', name: 'm1' } }] },
      },
    });
    const env = cliEnvFor(gateway);
    expectOk(await runCli(['models', 'auth', 'add', 'cloud', 'first'], env, first));
    const { client } = await connectDevice(gateway);
    const finals: ChatEvent[] = [];
    client.on('chat', (payload) => {
      if ((payload as ChatEvent).state !== 'delta') finals.push(payload as ChatEvent);
    });
    await client.request('chat.send', { message: 'one' });
    await within(
      10_000,
      waitFor(() => finals.length === 1),
      'first chat end',
    );
    expect(finals[0]).toMatchObject({
      state: 'error',
      error: { details: { code: 'PROVIDER_REJECTED_KEY' } },
    });

    expectOk(await runCli(['models', 'auth', 'add', 'cloud', 'second'], env, second));
    await client.request('chat.send', { message: 'two' });
    await within(
      10_000,
      waitFor(() => finals.length === 2),
      'second chat end',
    );
    expect(finals[1]).toMatchObject({ state: 'final', profile: 'second' });
    expect(provider.requestsWithKey(first)).toBe(1);

    const status = JSON.parse(expectOk(await runCli(['models', 'auth-status', '--json'], env))) as {
      profiles: AuthProfile[];
    };
    // No auth.order: least recently used first, whatever its state.
    expect(status.profiles.map((row) => [row.profile, row.state])).toEqual([
      ['first', 'disabled'],
      ['second', 'ready'],
    ]);
    client.close();
  });
});

async function configFile() {
  const text = await readFile(join(home!, 'config.json5'), 'utf8');
  return JSON5.parse<{ models: { providers: Record<string, { auth?: unknown }> } }>(text);
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
