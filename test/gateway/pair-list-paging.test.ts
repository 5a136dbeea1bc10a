/**
 * `device.pair.list` is paged past 500 devices (PROTOCOL.md): `{limit?, cursor?}` →
 * `…, nextCursor?`, over a real socket on a home whose store holds 600 paired devices
 * (a format version 2 file of the previous release).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import type { PairListPayload } from '../../src/shared/protocol.js';
import { writeVersionTwoStore } from '../../src/main/pairing/test-fixtures/generated-store.js';
import {
  connectDevice,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
let admin: GatewayClient | undefined;
afterEach(async () => {
  admin?.close();
  await gateway?.stop();
  admin = undefined;
  gateway = undefined;
});

async function gatewayWith600Devices(): Promise<GatewayClient> {
  const home = await makeTempHome();
  await writeVersionTwoStore(join(home, 'state', 'devices.json'), 600);
  gateway = await startTestGateway({ home, config: {} });
  admin = (await connectDevice(gateway)).client;
  return admin;
}

describe('device.pair.list paging', () => {
  it('returns 500 devices and a nextCursor, and the rest on the next page', async () => {
    const client = await gatewayWith600Devices();
    const first = await client.request<PairListPayload>('device.pair.list');
    expect(first.paired).toHaveLength(500);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.ignored).toHaveLength(1);

    const second = await client.request<PairListPayload>('device.pair.list', {
      cursor: first.nextCursor,
    });
    // 600 from the store, plus the admin device that just paired silently.
    expect(second.paired).toHaveLength(101);
    expect(second.nextCursor).toBeUndefined();
    const ids = [...first.paired, ...second.paired].map((device) => device.deviceId);
    expect(new Set(ids).size).toBe(601);
    const order = [...first.paired, ...second.paired].map(
      (d) => [d.approvedAtMs, d.deviceId] as const,
    );
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));

    const small = await client.request<PairListPayload>('device.pair.list', { limit: 10 });
    expect(small.paired.map((d) => d.deviceId)).toEqual(ids.slice(0, 10));
  });

  it.each([
    [{ limit: 501 }, /limit/],
    [{ limit: 0 }, /limit/],
    [{ limit: 1.5 }, /limit/],
    [{ cursor: 'made-up' }, /cursor is not one device\.pair\.list returned/],
    [{ page: 2 }, /page/],
  ])('refuses %j with INVALID_REQUEST', async (params, message) => {
    const client = await gatewayWith600Devices();
    await expect(client.request('device.pair.list', params)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(message),
    });
  });
});
