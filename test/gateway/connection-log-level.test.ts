import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

/** 127.0.0.2 is the trusted reverse proxy; its X-Forwarded-For makes a device remote. */
const PROXY = '127.0.0.2';

let gateway: TestGateway | undefined;
const clients: GatewayClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await gateway?.stop();
  gateway = undefined;
});

/** A client of `identity` that reaches `gw` as if from 203.0.113.7, through the proxy. */
function remoteClient(gw: TestGateway, identity: Awaited<ReturnType<typeof newIdentity>>) {
  const client = deviceClient(gw.wsUrl, {
    identity,
    auth: { token: gw.token },
    localAddress: PROXY,
    headers: { 'x-forwarded-for': '203.0.113.7' },
  });
  clients.push(client);
  return client;
}

const connectLinesOf = (gw: TestGateway, deviceId: string) =>
  gw.logs.filter((line) => line.includes(`open: device ${deviceId.slice(0, 12)} (`));

describe('the line a device connect writes to the log', () => {
  it('is a debug line for a local device, so local reconnects do not fill the log at its default level', async () => {
    gateway = await startTestGateway();
    const { client, identity } = await connectDevice(gateway);
    clients.push(client);
    const lines = connectLinesOf(gateway, identity.deviceId);
    expect(lines, 'one line for the connect').toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ debug connection \S+ open: device /);
  });

  it('is an info line for a remote device, so the log shows who reached the gateway from elsewhere', async () => {
    gateway = await startTestGateway({ config: { gateway: { trustedProxies: [PROXY] } } });
    const identity = await newIdentity();
    // It asks to pair, is approved (as `devices approve` does), then connects.
    const refused = await remoteClient(gateway, identity)
      .connect()
      .catch((error: unknown) => error);
    expect(refused, 'a remote device waits for approval').toMatchObject({ code: 'NOT_PAIRED' });
    const [request] = gateway.app.pairing.list().pending;
    await gateway.app.pairing.approve(request!.requestId);
    await remoteClient(gateway, identity).connect();
    const lines = connectLinesOf(gateway, identity.deviceId);
    expect(lines, 'one line for the connect').toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+ info connection \S+ open: device .* from 203\.0\.113\.7$/);
  });
});
