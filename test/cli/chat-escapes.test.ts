/**
 * A model can be prompted into emitting terminal control sequences, and a provider's error
 * text is the provider's own: `special-agent chat` shows both escaped, keeping the reply's
 * line breaks and tabs; `--json` carries the exact text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeBehaviour,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import { runCli } from '../helpers/child.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
afterEach(async () => {
  await gateway?.stop();
  await provider?.close();
  gateway = undefined;
  provider = undefined;
});

async function chatGateway(behaviour: Partial<FakeBehaviour>): Promise<TestGateway> {
  provider = await startFakeProvider('openai', behaviour);
  gateway = await startTestGateway({
    config: {
      models: { providers: { local: { type: 'openai', baseUrl: provider.baseUrl } } },
      agents: { list: [{ id: 'main', model: { provider: 'local', name: 'm' } }] },
    },
  });
  return gateway;
}

const HOSTILE_DELTAS = ['Sure!\u001b[2J', '\u001b]0;pwned\u0007 line 1\n\tline 2\r\n', 'done\r'];

describe('special-agent chat and text it did not write', () => {
  it('prints control sequences of the reply escaped, keeping its newlines and tabs', async () => {
    const gw = await chatGateway({ deltas: HOSTILE_DELTAS });
    expect(expectOk(await runCli(['chat', 'hi'], cliEnvFor(gw)))).toBe(
      'Sure!\\u001b[2J\\u001b]0;pwned\\u0007 line 1\n\tline 2\ndone\\r\n',
    );
  });

  it('--json keeps the exact reply text', async () => {
    const gw = await chatGateway({ deltas: HOSTILE_DELTAS });
    const lines = expectOk(await runCli(['chat', '--json', 'hi'], cliEnvFor(gw)))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { state?: string; text?: string });
    expect(lines.at(-1)).toMatchObject({ state: 'final', text: HOSTILE_DELTAS.join('') });
  });

  it("shows a provider's error text escaped on the one failure line", async () => {
    const gw = await chatGateway({
      failWith: { status: 500, body: '{"error":{"message":"overloaded\\u001b[2J\\u0007"}}' },
    });
    const result = await runCli(['chat', 'hi'], cliEnvFor(gw));
    expectOneLineFailure(result, 1, /overloaded\\u001b\[2J\\u0007/);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).not.toContain('\u0007');
  });
});
