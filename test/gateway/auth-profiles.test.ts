/**
 * Auth profiles through the real gateway and the real Secret Service (DESIGN.md "Auth
 * profiles"): several keys per provider, a rejected key disabled, a rate-limited one cooled
 * down, failover to the agent's fallbacks, the state kept across a restart, and no key
 * anywhere a user or a log could see it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeBehaviour,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import type { AuthProfile, ChatEvent } from '../../src/shared/protocol.js';
import { runCli } from '../helpers/child.js';
import { within } from '../helpers/within.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk } from '../cli/cli-test-support.js';

const gateways: TestGateway[] = [];
const fakes: FakeProvider[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) {
    const accounts = (await gateway.keychain.listAccounts?.()) ?? [];
    await gateway.stop();
    for (const account of accounts) await gateway.keychain.delete(account).catch(() => undefined);
  }
  for (const fake of fakes.splice(0)) await fake.close();
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

/** A key no other test uses; the canary test looks for it everywhere. */
const newKey = (label: string) => `sk-${label}-${randomBytes(12).toString('hex')}`;

async function fake(behaviour: Partial<FakeBehaviour>, type: 'openai' | 'anthropic' = 'openai') {
  const provider = await startFakeProvider(type, { deltas: ['fine'], pauseMs: 0, ...behaviour });
  fakes.push(provider);
  return provider;
}

/** A clock the test moves forward; the gateway and its device signatures stay within skew. */
function movableClock() {
  let offsetMs = 0;
  return { now: () => Date.now() + offsetMs, advance: (ms: number) => (offsetMs += ms) };
}

interface Setup {
  providers: Record<string, { url: string; type?: 'openai' | 'anthropic' }>;
  fallbacks?: { provider: string; name: string }[];
  clock?: { now(): number };
  home?: string;
}

async function start(setup: Setup) {
  const providers = Object.fromEntries(
    Object.entries(setup.providers).map(([id, p]) => [
      id,
      { type: p.type ?? 'openai', baseUrl: p.url },
    ]),
  );
  const gateway = await startTestGateway({
    ...(setup.home ? { home: setup.home } : {}),
    config: {
      models: { providers },
      agents: {
        list: [
          {
            id: 'main',
            model: {
              provider: 'primary',
              name: 'm1',
              ...(setup.fallbacks ? { fallbacks: setup.fallbacks } : {}),
            },
          },
        ],
      },
    },
    ...(setup.clock ? { clock: setup.clock } : {}),
  });
  gateways.push(gateway);
  const { client } = await connectDevice(gateway);
  return { gateway, client };
}

async function addProfiles(client: GatewayClient, provider: string, keys: Record<string, string>) {
  for (const [profile, apiKey] of Object.entries(keys))
    await client.request('models.auth.add', { provider, profile, apiKey });
  await client.request('models.auth.order', { provider, order: Object.keys(keys) });
}

/** Sends one message and resolves with that run's last event (final or error). */
async function chat(client: GatewayClient, params: Record<string, unknown> = {}) {
  const events: ChatEvent[] = [];
  let done!: (event: ChatEvent) => void;
  const ended = new Promise<ChatEvent>((resolve) => (done = resolve));
  // One chat at a time per test: every event seen belongs to this run.
  const off = client.on('chat', (payload) => {
    const event = payload as ChatEvent;
    events.push(event);
    if (event.state !== 'delta') done(event);
  });
  const { runId } = await client.request<{ runId: string }>('chat.send', {
    message: 'hi',
    ...params,
  });
  const last = await within(10_000, ended, 'final or error chat event');
  off();
  expect(last.runId).toBe(runId);
  return { last, events };
}

async function profileRows(client: GatewayClient, provider: string) {
  const { profiles } = await client.request<{ profiles: AuthProfile[] }>('models.auth.list', {
    provider,
  });
  return Object.fromEntries(profiles.map((row) => [row.profile, row]));
}

describeWithKeychain('auth profiles through the gateway (real Secret Service)', () => {
  it('answers from the second profile when the first key is rejected, disables the first and never tries it again', async () => {
    const bad = newKey('bad');
    const good = newKey('good');
    const upstream = await fake({ keys: { [bad]: { status: 401 }, [good]: 'ok' } });
    const { gateway, client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await addProfiles(client, 'primary', { first: bad, second: good });

    const one = await chat(client);
    expect(one.last).toMatchObject({
      state: 'final',
      text: 'fine',
      provider: 'primary',
      model: 'm1',
      profile: 'second',
    });
    expect(upstream.requestsWithKey(bad)).toBe(1);
    const rows = await profileRows(client, 'primary');
    expect(rows.first).toMatchObject({
      state: 'disabled',
      lastError: { httpStatus: 401, code: 'PROVIDER_REJECTED_KEY' },
    });
    expect(rows.first?.disabledReason).toMatch(/rejected this key \(HTTP 401\)/);
    expect(rows.second).toMatchObject({ state: 'ready' });

    const two = await chat(client);
    expect(two.last).toMatchObject({ state: 'final', profile: 'second' });
    expect(upstream.requestsWithKey(bad)).toBe(1);
    expect(upstream.requestsWithKey(good)).toBe(2);

    const cli = await runCli(['models', 'auth-status', '--json'], cliEnvFor(gateway));
    const stdout = expectOk(cli);
    expect(stdout).not.toContain(bad);
    expect(stdout).not.toContain(good);
    const status = JSON.parse(stdout) as { profiles: AuthProfile[] };
    const byName = Object.fromEntries(status.profiles.map((row) => [row.profile, row]));
    expect(byName.first).toMatchObject({
      state: 'disabled',
      masked: `…${bad.slice(-4)}`,
      source: 'keychain',
    });
    expect(byName.second).toMatchObject({
      state: 'ready',
      masked: `…${good.slice(-4)}`,
      lastUsedAtMs: expect.any(Number),
    });
    client.close();
  });

  it('enables a disabled profile again as soon as its key is replaced', async () => {
    const bad = newKey('bad');
    const fixed = newKey('fixed');
    const upstream = await fake({ keys: { [bad]: { status: 403 }, [fixed]: 'ok' } });
    const { client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await addProfiles(client, 'primary', { only: bad });
    expect((await chat(client)).last).toMatchObject({
      state: 'error',
      error: { details: { code: 'PROVIDER_REJECTED_KEY' } },
    });
    expect((await profileRows(client, 'primary')).only?.state).toBe('disabled');

    await client.request('models.auth.add', {
      provider: 'primary',
      profile: 'only',
      apiKey: fixed,
    });
    expect((await profileRows(client, 'primary')).only?.state).toBe('ready');
    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'only' });
    client.close();
  });

  it('cools a rate-limited profile down for Retry-After seconds, answers from the next, and tries it again once the time has passed', async () => {
    const clock = movableClock();
    const limited = newKey('limited');
    const spare = newKey('spare');
    const upstream = await fake(
      { keys: { [limited]: { status: 429, retryAfter: '30' }, [spare]: 'ok' } },
      'anthropic',
    );
    const { client } = await start({
      providers: { primary: { url: upstream.baseUrl, type: 'anthropic' } },
      clock,
    });
    await addProfiles(client, 'primary', { first: limited, second: spare });

    const before = clock.now();
    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'second' });
    const cooling = (await profileRows(client, 'primary')).first;
    expect(cooling).toMatchObject({ state: 'cooldown', lastError: { httpStatus: 429 } });
    expect(cooling?.cooldownUntilMs).toBeGreaterThanOrEqual(before + 30_000);
    expect(cooling?.cooldownUntilMs).toBeLessThanOrEqual(clock.now() + 30_000);

    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'second' });
    expect(upstream.requestsWithKey(limited)).toBe(1);

    clock.advance(31_000);
    upstream.behaviour.keys = { [limited]: 'ok', [spare]: 'ok' };
    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'first' });
    expect(upstream.requestsWithKey(limited)).toBe(2);
    expect((await profileRows(client, 'primary')).first?.state).toBe('ready');
    client.close();
  });

  it('answers from the agent’s fallback when every profile of its provider fails, and the final event names it', async () => {
    const [a, b, backupKey] = [newKey('a'), newKey('b'), newKey('backup')];
    const primary = await fake({ keys: { [a]: { status: 401 }, [b]: { status: 503 } } });
    const backup = await fake({ keys: { [backupKey]: 'ok' }, deltas: ['from ', 'backup'] });
    const { client } = await start({
      providers: { primary: { url: primary.baseUrl }, backup: { url: backup.baseUrl } },
      fallbacks: [{ provider: 'backup', name: 'backup-model' }],
    });
    await addProfiles(client, 'primary', { a, b });
    await client.request('models.auth.add', {
      provider: 'backup',
      profile: 'default',
      apiKey: backupKey,
    });

    const { last, events } = await chat(client);
    expect(last).toEqual({
      runId: last.runId,
      sessionId: last.sessionId,
      state: 'final',
      text: 'from backup',
      provider: 'backup',
      model: 'backup-model',
      profile: 'default',
    });
    expect(events.filter((event) => event.state === 'delta').map((event) => event.text)).toEqual([
      'from ',
      'backup',
    ]);
    expect(backup.requests.at(-1)?.body.model).toBe('backup-model');
    expect([primary.requestsWithKey(a), primary.requestsWithKey(b)]).toEqual([1, 1]);
    client.close();
  });

  it('ends with PROVIDER_EXHAUSTED naming both attempts and when the first cooldown ends, with no fallback', async () => {
    const [a, b] = [newKey('a'), newKey('b')];
    const upstream = await fake({
      keys: { [a]: { status: 429, retryAfter: '30' }, [b]: { status: 503 } },
    });
    const { client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await addProfiles(client, 'primary', { a, b });

    const { last } = await chat(client);
    expect(last).toMatchObject({
      state: 'error',
      error: {
        code: 'PROVIDER_ERROR',
        details: {
          code: 'PROVIDER_EXHAUSTED',
          attempts: [
            {
              provider: 'primary',
              model: 'm1',
              profile: 'a',
              httpStatus: 429,
              code: 'PROVIDER_ERROR',
            },
            {
              provider: 'primary',
              model: 'm1',
              profile: 'b',
              httpStatus: 503,
              code: 'PROVIDER_ERROR',
            },
          ],
        },
      },
    });
    const retryAfterMs = (last.error as { retryAfterMs?: number }).retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(25_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);

    // Both cooling down: refused before anything is sent, with the same hint.
    await expect(client.request('chat.send', { message: 'again' })).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      details: {
        code: 'PROVIDER_EXHAUSTED',
        attempts: [
          { profile: 'a', code: 'PROFILE_COOLDOWN' },
          { profile: 'b', code: 'PROFILE_COOLDOWN' },
        ],
      },
      retryAfterMs: expect.any(Number),
    });
    expect(upstream.requests).toHaveLength(2);
    client.close();
  });

  it('uses the profile a session is pinned to for every run in it, until the pin is cleared', async () => {
    const [a, b] = [newKey('a'), newKey('b')];
    const upstream = await fake({ keys: { [a]: 'ok', [b]: 'ok' } });
    const { client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await addProfiles(client, 'primary', { a, b });

    const first = await chat(client);
    const sessionId = first.last.sessionId;
    expect(first.last).toMatchObject({ state: 'final', profile: 'a' });
    await client.request('sessions.patch', { sessionId, override: { profile: 'b' } });
    for (const message of ['two', 'three']) {
      const run = await chat(client, { sessionId, message });
      expect(run.last, `the run "${message}" of the pinned session`).toMatchObject({
        state: 'final',
        profile: 'b',
      });
    }
    expect(upstream.requestsWithKey(b)).toBe(2);

    await client.request('sessions.patch', { sessionId, override: null });
    const back = await chat(client, { sessionId, message: 'four' });
    expect(back.last, 'after override:null the agent’s order again').toMatchObject({
      profile: 'a',
    });
    expect(upstream.requestsWithKey(a)).toBe(2);
    client.close();
  });

  it('keeps a session on the profile that last answered it (DESIGN.md), not the least recently used', async () => {
    const [a, b] = [newKey('a'), newKey('b')];
    const upstream = await fake({ keys: { [a]: 'ok', [b]: 'ok' } });
    const { client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    // No auth.order: a new run takes the least recently used profile.
    for (const [profile, apiKey] of Object.entries({ a, b }))
      await client.request('models.auth.add', { provider: 'primary', profile, apiKey });

    const first = await chat(client);
    const sessionId = first.last.sessionId;
    const answered = (first.last as { profile?: string }).profile;
    expect(['a', 'b'], 'the first run’s profile').toContain(answered);
    for (const message of ['two', 'three']) {
      const run = await chat(client, { sessionId, message });
      expect(run.last, `the run "${message}" of the same session`).toMatchObject({
        state: 'final',
        profile: answered,
      });
    }
    client.close();
  });

  it('uses a profile the CLI added beside the running gateway from the next runs on', async () => {
    const [own, work] = [newKey('own'), newKey('work')];
    const upstream = await fake({ keys: { [own]: 'ok', [work]: 'ok' } });
    const { gateway, client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await client.request('models.auth.add', {
      provider: 'primary',
      profile: 'default',
      apiKey: own,
    });
    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'default' });

    expectOk(
      await runCli(['models', 'auth', 'add', 'primary', 'work'], cliEnvFor(gateway), `${work}\n`),
    );
    // Never used, so first in line; the gateway learns of it from the CLI's announcement.
    const deadline = Date.now() + 5000;
    let answered: string | undefined;
    while (answered !== 'work' && Date.now() < deadline) {
      const { last } = await chat(client, { message: 'again' });
      answered = (last.state === 'final' ? last.profile : last.state) ?? undefined;
    }
    expect(answered, 'the profile that answered within 5 s of the CLI adding "work"').toBe('work');
    client.close();
  });

  it('keeps the session file whole when every profile failed: the user message once, no empty answer', async () => {
    const [a, b] = [newKey('a'), newKey('b')];
    const upstream = await fake({ keys: { [a]: { status: 503 }, [b]: { status: 503 } } });
    const { client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    await addProfiles(client, 'primary', { a, b });

    const { last } = await chat(client, { message: 'only once' });
    expect(last).toMatchObject({
      state: 'error',
      error: { details: { code: 'PROVIDER_EXHAUSTED' } },
    });
    const { messages } = await client.request<{ messages: { role: string; text: string }[] }>(
      'sessions.get',
      { sessionId: last.sessionId },
    );
    expect(messages, 'the session after an exhausted run').toEqual([
      expect.objectContaining({ role: 'user', text: 'only once' }),
    ]);
    client.close();
  });

  it('keeps a cooldown across a gateway restart', async () => {
    const home = await makeTempHome();
    homes.push(home);
    const [limited, spare] = [newKey('limited'), newKey('spare')];
    const upstream = await fake({
      keys: { [limited]: { status: 429, retryAfter: '600' }, [spare]: 'ok' },
    });
    const first = await start({ providers: { primary: { url: upstream.baseUrl } }, home });
    await addProfiles(first.client, 'primary', { first: limited, second: spare });
    expect((await chat(first.client)).last).toMatchObject({ state: 'final', profile: 'second' });
    first.client.close();
    await first.gateway.app.stop();
    gateways.splice(gateways.indexOf(first.gateway), 1);

    const file = join(home, 'state', 'auth-profiles.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { gateway, client } = await startAgain(home);
    const rows = await profileRows(client, 'primary');
    expect(rows.first).toMatchObject({ state: 'cooldown', cooldownUntilMs: expect.any(Number) });
    expect((await chat(client)).last).toMatchObject({ state: 'final', profile: 'second' });
    expect(upstream.requestsWithKey(limited)).toBe(1);
    client.close();
    expect(gateway.home).toBe(home);
  });

  it('never shows a key in a response, an event, the log or any file of the home (canary)', async () => {
    const canaries = [newKey('canary-a'), newKey('canary-b'), newKey('canary-c')];
    const [rejected, echoing, good] = canaries as [string, string, string];
    const upstream = await fake({
      keys: {
        [rejected]: { status: 401 },
        // A provider that echoes the key in its error text.
        [echoing]: {
          status: 500,
          body: JSON.stringify({ error: { message: `bad key ${echoing}` } }),
        },
        [good]: 'ok',
      },
    });
    const { gateway, client } = await start({ providers: { primary: { url: upstream.baseUrl } } });
    const seen: unknown[] = [];
    client.on('chat', (payload) => seen.push(payload));
    const ask = async (method: string, params: Record<string, unknown>) => {
      seen.push(
        await client
          .request(method, params)
          .catch((error: unknown) => ({ error: String(error), ...(error as object) })),
      );
    };
    for (const [profile, apiKey] of [
      ['r', rejected],
      ['e', echoing],
      ['g', good],
    ] as const)
      await ask('models.auth.add', { provider: 'primary', profile, apiKey });
    await ask('models.auth.order', { provider: 'primary', order: ['r', 'e', 'g'] });
    seen.push((await chat(client)).last);
    await ask('models.auth.list', {});
    await ask('models.authStatus', {});
    await ask('config.get', {});
    await ask('models.list', { provider: 'primary' });
    const cli = await runCli(['models', 'auth-status', '--json'], cliEnvFor(gateway));
    await gateway.app.stop();
    gateways.splice(gateways.indexOf(gateway), 1);

    const texts = [
      JSON.stringify(seen),
      gateway.logs.join('\n'),
      cli.stdout,
      cli.stderr,
      ...(await filesUnder(gateway.home)),
    ];
    for (const key of canaries) for (const text of texts) expect(text).not.toContain(key);
    expect(JSON.stringify(seen)).toContain('fine');
    await rm(gateway.home, { recursive: true, force: true });
    client.close();
  });
});

async function startAgain(home: string) {
  const gateway = await startTestGateway({ home });
  gateways.push(gateway);
  const { client } = await connectDevice(gateway);
  return { gateway, client };
}

async function filesUnder(folder: string): Promise<string[]> {
  const texts: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return texts;
}

describe('the auth profile state file', () => {
  it('keeps the gateway from starting when corrupt (exit 78), after moving it aside', async () => {
    const home = await makeTempHome();
    homes.push(home);
    await mkdir(join(home, 'state'), { recursive: true });
    await writeFile(join(home, 'state', 'auth-profiles.json'), '{"version":1,');
    const error = await startTestGateway({ home, config: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: 78,
      message: expect.stringMatching(
        /the auth profile state .*auth-profiles\.json is corrupt \(invalid JSON/,
      ),
    });
    const names = await readdir(join(home, 'state'));
    expect(names.filter((name) => name.startsWith('auth-profiles.json.corrupt-'))).toHaveLength(1);
    expect(names).not.toContain('auth-profiles.json');
    // Still refused on the next start: an empty state is never assumed.
    await expect(startTestGateway({ home })).rejects.toMatchObject({ exitCode: 78 });
  });
});

describe('models.auth.* input', () => {
  it('refuses an unknown provider (also one named like an Object.prototype member) and a bad profile name', async () => {
    const gateway = await startTestGateway({
      config: {
        models: { providers: { p: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } } },
      },
    });
    gateways.push(gateway);
    const { client } = await connectDevice(gateway);
    for (const provider of ['nope', 'constructor']) {
      await expect(
        client.request('models.auth.add', { provider, profile: 'work', apiKey: newKey('x') }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(`provider "${provider}" not found`),
      });
      // The advice names what a person can do, not a wire method.
      await expect(
        client.request('models.auth.add', { provider, profile: 'work', apiKey: newKey('x') }),
      ).rejects.toMatchObject({ message: expect.stringContaining('special-agent onboard') });
      await expect(client.request('models.auth.list', { provider })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    for (const profile of ['Work', '.hidden', 'a'.repeat(33), 'a:b']) {
      await expect(
        client.request('models.auth.add', { provider: 'p', profile, apiKey: newKey('x') }),
      ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    await expect(
      client.request('models.auth.order', { provider: 'p', order: ['ghost'] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('profile "ghost"'),
    });
    client.close();
  });
});
