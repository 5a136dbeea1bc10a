/**
 * `special-agent devices list` follows `nextCursor`: with more devices than one
 * `device.pair.list` page holds (500), the CLI lists them all, readably and with --json,
 * and a device past the first page can be named by an id prefix.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generatedDevice,
  writeVersionTwoStore,
} from '../../src/main/pairing/test-fixtures/generated-store.js';
import { runCli } from '../helpers/child.js';
import { makeTempHome, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOk } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const DEVICES = 620;

async function gatewayWithManyDevices(): Promise<TestGateway> {
  const home = await makeTempHome();
  await writeVersionTwoStore(join(home, 'state', 'devices.json'), DEVICES);
  gateway = await startTestGateway({ home, config: {} });
  return gateway;
}

describe('special-agent devices list past one page', () => {
  it('lists every paired device, readably and with --json', async () => {
    const env = cliEnvFor(await gatewayWithManyDevices());
    // The CLI's own device pairs silently on its first connect: one more than the store held.
    const json = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      paired: { deviceId: string }[];
    };
    expect(Object.keys(json).sort()).toEqual(['ignored', 'paired', 'pending']);
    expect(json.paired).toHaveLength(DEVICES + 1);
    expect(new Set(json.paired.map((device) => device.deviceId)).size).toBe(DEVICES + 1);

    const text = expectOk(await runCli(['devices', 'list'], env));
    expect(text).toContain(`Paired (${DEVICES + 1})`);
  });

  it('removes a device past the first page named by an id prefix', async () => {
    const gw = await gatewayWithManyDevices();
    const last = generatedDevice(DEVICES - 1);
    const prefix = last.deviceId.slice(0, 12);
    const out = expectOk(await runCli(['devices', 'remove', prefix], cliEnvFor(gw)));
    expect(out).toContain(`Removed device ${last.deviceId.slice(0, 12)}`);
    expect(gw.app.pairing.getPaired(last.deviceId)).toBeUndefined();
  });
});
