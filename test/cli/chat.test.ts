import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { runCli } from '../helpers/child.js';
import { makeTempHome, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure, spawnCli } from './cli-test-support.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  await gateway?.stop();
  await provider?.close();
  gateway = undefined;
  provider = undefined;
});

async function gatewayWithProvider(baseUrl: string): Promise<TestGateway> {
  gateway = await startTestGateway({
    config: {
      models: { providers: { local: { type: 'openai', baseUrl } } },
      agents: {
        default: 'main',
        list: [{ id: 'main', model: { provider: 'local', name: 'test-model' } }],
      },
    },
  });
  return gateway;
}

describe('special-agent chat', () => {
  it('streams the reply of an OpenAI-compatible provider to stdout, ending with a newline', async () => {
    provider = await startFakeProvider('openai', { deltas: ['Hel', 'lo ', '€uro ', '👋'] });
    const gw = await gatewayWithProvider(provider.baseUrl);
    expect(expectOk(await runCli(['chat', 'say', 'hello'], cliEnvFor(gw)))).toBe('Hello €uro 👋\n');
    const body = provider.requests[0]?.body as {
      model: string;
      messages: { role: string; content: string }[];
    };
    expect(body.model).toBe('test-model');
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'say hello' });
  });

  it('reads the message from stdin when none is given, and --json prints the run and its events', async () => {
    provider = await startFakeProvider('openai', { deltas: ['ok'] });
    const gw = await gatewayWithProvider(provider.baseUrl);
    const result = await runCli(
      ['chat', '--json', '--agent', 'main'],
      cliEnvFor(gw),
      'from stdin\n',
    );
    const lines = expectOk(result)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ runId: expect.any(String), sessionId: expect.any(String) });
    expect(lines.at(-1)).toMatchObject({ state: 'final', text: 'ok' });
    expect(
      (provider.requests[0]?.body as { messages: { content: string }[] }).messages.at(-1)?.content,
    ).toBe('from stdin');
  });

  it('exits 1 with the message of an error chat event', async () => {
    provider = await startFakeProvider('openai', {
      failWith: { status: 500, body: '{"error":{"message":"model overloaded"}}' },
    });
    const gw = await gatewayWithProvider(provider.baseUrl);
    const result = await runCli(['chat', 'hi'], cliEnvFor(gw));
    expectOneLineFailure(result, 1, /model overloaded/);
  });

  it('on Ctrl-C sends chat.abort (the provider request is dropped) and exits 130', async () => {
    provider = await startFakeProvider('openai', { deltas: ['partial '], hang: true });
    const gw = await gatewayWithProvider(provider.baseUrl);
    const chat = spawnCli(['chat', 'long', 'story'], cliEnvFor(gw));
    await chat.waitFor(/partial/);
    const dropped = provider.nextDisconnect();
    chat.child.kill('SIGINT');
    const result = await chat.exited;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('partial \n');
    await dropped;
  });

  it('prints the session id on stderr, and --session continues that conversation', async () => {
    provider = await startFakeProvider('openai', { deltas: ['Paris'] });
    const gw = await gatewayWithProvider(provider.baseUrl);
    const first = await runCli(['chat', 'capital', 'of', 'France?'], cliEnvFor(gw));
    expect(expectOk(first)).toBe('Paris\n');
    const sessionId = /session ([A-Za-z0-9_-]+) \(continue: special-agent chat --session \1/.exec(
      first.stderr,
    )?.[1];
    expect(sessionId, first.stderr).toBeDefined();

    const second = await runCli(['chat', '--session', sessionId!, 'and', 'Spain?'], cliEnvFor(gw));
    expect(expectOk(second)).toBe('Paris\n');
    expect(second.stderr).toContain(`session ${sessionId!} `);
    const body = provider.requests[1]?.body as { messages: { role: string; content: string }[] };
    expect(body.messages).toEqual([
      { role: 'user', content: 'capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'and Spain?' },
    ]);
  });

  it('a message past the frame limit says it is too large and to send a shorter one', async () => {
    provider = await startFakeProvider('openai', { deltas: ['ok'] });
    const gw = await gatewayWithProvider(provider.baseUrl);
    const result = await runCli(['chat'], cliEnvFor(gw), 'a'.repeat(2_000_000));
    expectOneLineFailure(result, 1, /the message is too large to send .*send a shorter one/);
  });

  it('chat --list lists every session, past the gateway page of 50', async () => {
    const home = await makeTempHome();
    const dir = join(home, 'state', 'sessions');
    await mkdir(dir, { recursive: true });
    const ids = Array.from({ length: 60 }, (_, i) => `old-${String(i).padStart(2, '0')}`);
    await Promise.all(
      ids.map((id, i) =>
        writeFile(
          join(dir, `${id}.jsonl`),
          `${JSON.stringify({ type: 'session', agentId: 'main', createdAtMs: 1000 + i })}\n` +
            `${JSON.stringify({ role: 'user', content: `question ${i}`, ts: 1000 + i })}\n`,
        ),
      ),
    );
    gateway = await startTestGateway({ home, config: {} });
    const listed = JSON.parse(
      expectOk(await runCli(['chat', '--list', '--json'], cliEnvFor(gateway))),
    ) as { sessions: { sessionId: string }[] };
    expect(listed.sessions.length, 'sessions listed').toBe(60);
    expect(listed.sessions.map((s) => s.sessionId)).toEqual([...ids].reverse());
  });

  it('chat --list shows each session with agent, title, age and messages, escaping control characters; --json prints the sessions.list payload', async () => {
    provider = await startFakeProvider('openai', { deltas: ['ok'] });
    const gw = await gatewayWithProvider(provider.baseUrl);
    expect(expectOk(await runCli(['chat', '--list'], cliEnvFor(gw)))).toMatch(/^No sessions yet/);
    expectOk(await runCli(['chat', '--session', 'trip-1', 'plan a trip'], cliEnvFor(gw)));
    expectOk(
      await runCli(['chat', '--session', 'evil-1', 'hi \u001b]0;pwned\u0007 there'], cliEnvFor(gw)),
    );

    const table = expectOk(await runCli(['chat', '--list'], cliEnvFor(gw)));
    const [header, ...rows] = table.trimEnd().split('\n');
    expect(header).toMatch(/^SESSION\s+AGENT\s+TITLE\s+UPDATED\s+MESSAGES$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^evil-1\s+main\s+hi \\u001b\]0;pwned\\u0007 there\s+.+\s+2$/);
    expect(rows[1]).toMatch(/^trip-1\s+main\s+plan a trip\s+.+\s+2$/);
    expect(table).not.toContain('\u001b');

    const json = JSON.parse(
      expectOk(await runCli(['chat', '--list', '--json'], cliEnvFor(gw))),
    ) as {
      sessions: { sessionId: string; title: string; messageCount: number }[];
    };
    expect(json.sessions.map((s) => [s.sessionId, s.title, s.messageCount])).toEqual([
      ['evil-1', 'hi \u001b]0;pwned\u0007 there', 2],
      ['trip-1', 'plan a trip', 2],
    ]);
    expectOneLineFailure(
      await runCli(['chat', '--list', 'hello'], cliEnvFor(gw)),
      2,
      /--list takes no message/,
    );
  });

  it('names an unknown agent', async () => {
    provider = await startFakeProvider('openai');
    const gw = await gatewayWithProvider(provider.baseUrl);
    expectOneLineFailure(
      await runCli(['chat', '--agent', 'nobody', 'hi'], cliEnvFor(gw)),
      1,
      /agent "nobody" not found/,
    );
  });
});
