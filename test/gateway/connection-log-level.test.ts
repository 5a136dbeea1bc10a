import { afterEach, describe, expect, it } from 'vitest';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('the line a device connect writes to the log', () => {
  it('is a debug line, so reconnecting devices do not fill the log at its default level', async () => {
    gateway = await startTestGateway();
    const { client, identity } = await connectDevice(gateway);
    client.close();

    const connectLines = gateway.logs.filter((line) =>
      line.includes(`open: device ${identity.deviceId.slice(0, 12)} (`),
    );
    expect(connectLines, 'one line for the connect').toHaveLength(1);
    expect(connectLines[0]).toMatch(/^\S+ debug connection \S+ open: device /);
  });
});
