import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import {
  closedPortUrl,
  startFakeProvider,
  type FakeProvider,
} from './fake-provider.test-support.js';
import { fetchModelList } from './model-list.js';

const servers: FakeProvider[] = [];
afterEach(async () => Promise.all(servers.splice(0).map((server) => server.close())));

async function fake(behaviour: Parameters<typeof startFakeProvider>[1]) {
  const server = await startFakeProvider('openai', behaviour);
  servers.push(server);
  return server;
}

const ref = (baseUrl: string) => ({ id: 'p', type: 'openai' as const, baseUrl });

describe('fetchModelList', () => {
  it('gives up after its timeout and says the provider did not answer', async () => {
    const server = await fake({ silent: true });
    const error = await fetchModelList({ provider: ref(server.baseUrl), timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      details: { code: 'PROVIDER_UNREACHABLE' },
      message: expect.stringContaining('no answer within 200 ms'),
    });
  });

  it('reports a rejected key as PROVIDER_REJECTED_KEY and never sends a key it was not given', async () => {
    const server = await fake({ apiKey: 'sk-right-00000000' });
    await expect(
      fetchModelList({ provider: ref(server.baseUrl), apiKey: 'sk-wrong-00000000' }),
    ).rejects.toMatchObject({ details: { code: 'PROVIDER_REJECTED_KEY', httpStatus: 401 } });
    const open = await fake({ models: [{ id: 'm' }] });
    expect(await fetchModelList({ provider: ref(open.baseUrl) })).toEqual([{ id: 'm' }]);
    expect(open.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('says which provider is unreachable when nothing listens', async () => {
    await expect(fetchModelList({ provider: ref(await closedPortUrl()) })).rejects.toMatchObject({
      details: { code: 'PROVIDER_UNREACHABLE', provider: 'p' },
    });
  });

  it('refuses a listing it cannot read instead of guessing', async () => {
    const server = await fake({ failWith: { status: 200, body: '{"models":"nope"}' } });
    await expect(fetchModelList({ provider: ref(server.baseUrl) })).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      message: expect.stringContaining('in a format we do not understand'),
    });
  });
});
