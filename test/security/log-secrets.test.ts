/**
 * Secrets never reach the gateway log, checked on the real headless entry: its own logger,
 * its own wiring, and what it writes to stderr. The path into the log is a real one: a
 * hand-edited config value that fails validation is quoted in the "config change ignored"
 * warning, so whatever secret the user pasted into the wrong field is on that line.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import { childEnv, runGateway, type ChildRun } from '../helpers/child.js';
import { deviceClient, makeTempHome, newIdentity, writeConfig } from '../helpers/gateway.js';

const WAIT_MS = 10_000;
let gateway: ChildRun | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  if (gateway && gateway.child.exitCode === null) {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  }
  await provider?.close();
  gateway = undefined;
  provider = undefined;
});

/** `promise`, or a failure naming `what` after WAIT_MS. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The headless gateway on a free port; its URL once it says it listens. */
async function startGateway(
  home: string,
  extraEnv: Record<string, string>,
): Promise<{ run: ChildRun; url: string }> {
  const run = runGateway(childEnv(home, extraEnv));
  gateway = run;
  const [, url] = await run.waitFor(/listening on (http:\/\/\S+\/)/, WAIT_MS);
  return { run, url: url ?? '' };
}

/** Rewrites the config and waits for the gateway to log that it ignored the change. */
async function pasteIntoWrongField(
  run: ChildRun,
  home: string,
  config: Record<string, unknown>,
): Promise<string> {
  await writeConfig(home, config);
  await expect
    .poll(() => run.stderr, { timeout: WAIT_MS, message: 'a "config change ignored" log line' })
    .toMatch(/config change ignored/);
  return run.stderr.split('\n').find((line) => line.includes('config change ignored')) ?? '';
}

describe('secrets in the log of the real gateway entry', () => {
  it('the gateway token pasted into a config field is [redacted] in the warning about it', async () => {
    const token = `canary-token-${randomBytes(12).toString('hex')}`;
    const home = await makeTempHome();
    await writeConfig(home, {});
    const { run, url } = await startGateway(home, { SPECIAL_AGENT_GATEWAY_TOKEN: token });

    // The dashboard URL carries the token; pasted as an allowed origin it is invalid.
    const line = await pasteIntoWrongField(run, home, {
      gateway: { controlUi: { allowedOrigins: [`${url}#token=${token}`] } },
    });
    expect(line).toMatch(/invalid origin/);
    expect(line).toContain('[redacted]');
    expect(run.stderr).not.toContain(token);
  });

  it('a provider key the gateway used for a chat is [redacted] when it reaches a log line', async () => {
    const key = `sk-canary-${randomBytes(12).toString('hex')}`;
    provider = await startFakeProvider('openai', { apiKey: key, deltas: ['ok'] });
    const home = await makeTempHome();
    const token = randomBytes(24).toString('base64url');
    const models = { providers: { canary: { type: 'openai', baseUrl: provider.baseUrl } } };
    const agents = { list: [{ id: 'main', model: { provider: 'canary', name: 'm' } }] };
    await writeConfig(home, { models, agents });
    const { run, url } = await startGateway(home, {
      SPECIAL_AGENT_GATEWAY_TOKEN: token,
      CANARY_API_KEY: key,
    });

    const client = deviceClient(url.replace(/^http/, 'ws'), {
      identity: await newIdentity(),
      auth: { token },
    });
    await client.connect();
    const done = new Promise<ChatEvent>((resolve) =>
      client.on('chat', (payload) => {
        if ((payload as ChatEvent).state !== 'delta') resolve(payload as ChatEvent);
      }),
    );
    await client.request('chat.send', { message: 'hi' });
    expect(await within(done, 'end of the chat run')).toMatchObject({ state: 'final', text: 'ok' });
    client.close();

    const line = await pasteIntoWrongField(run, home, {
      models,
      agents,
      gateway: { trustedProxies: [key] },
    });
    expect(line).toMatch(/invalid trusted proxy/);
    expect(line).toContain('[redacted]');
    expect(run.stderr).not.toContain(key);
  });
});
