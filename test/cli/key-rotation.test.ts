import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeProvider,
  type FakeProvider,
} from '../../src/main/providers/fake-provider.test-support.js';
import {
  assertSecretServiceReachable,
  keychainTestName,
} from '../../src/main/secrets/keychain.test-support.js';
import type { ChatEvent } from '../../src/shared/protocol.js';
import { runCli } from '../helpers/child.js';
import {
  connectDevice,
  hasSecretService,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk } from './cli-test-support.js';

let gateway: TestGateway | undefined;
let provider: FakeProvider | undefined;
let account: string | undefined;
afterEach(async () => {
  // The key went to the test home's own keychain service; clear it there.
  const keychain = gateway?.keychain;
  await gateway?.stop();
  await provider?.close();
  if (account) await keychain?.delete(account).catch(() => undefined);
  gateway = undefined;
  provider = undefined;
  account = undefined;
});

describe.skipIf(!hasSecretService)(
  keychainTestName('a key rotated through the CLI (real Secret Service)'),
  () => {
    beforeAll(assertSecretServiceReachable);
    it('is used by the running gateway on the very next chat request, with no restart', async () => {
      const id = `rot-${randomBytes(4).toString('hex')}`;
      account = `provider:${id}`;
      provider = await startFakeProvider('openai', { apiKey: 'sk-cli-first-key-0001' });
      gateway = await startTestGateway({
        config: {
          models: { providers: { [id]: { type: 'openai', baseUrl: provider.baseUrl } } },
          agents: { list: [{ id: 'main', model: { provider: id, name: 'm' } }] },
        },
      });
      const env = cliEnvFor(gateway);
      const { client } = await connectDevice(gateway);
      const finals: ChatEvent[] = [];
      client.on('chat', (payload) => {
        if ((payload as ChatEvent).state !== 'delta') finals.push(payload as ChatEvent);
      });

      expect(
        expectOk(
          await runCli(
            ['configure', 'set', `models.providers.${id}.apiKey`, '-'],
            env,
            'sk-cli-first-key-0001\n',
          ),
        ),
      ).toContain('Stored in OS keychain');
      await client.request('chat.send', { message: 'one' });
      await expect.poll(() => finals.length).toBe(1);

      provider.behaviour.apiKey = 'sk-cli-second-key-0002';
      expectOk(
        await runCli(
          ['configure', 'set', `models.providers.${id}.apiKey`, '-'],
          env,
          'sk-cli-second-key-0002\n',
        ),
      );
      await client.request('chat.send', { message: 'two' });
      await expect.poll(() => finals.length).toBe(2);

      expect(finals.map((event) => event.state)).toEqual(['final', 'final']);
      expect(provider.requests.map((request) => request.headers.authorization)).toEqual([
        'Bearer sk-cli-first-key-0001',
        'Bearer sk-cli-second-key-0002',
      ]);
      client.close();
    });
  },
);
