/**
 * `gateway.restart` (PROTOCOL.md additions): the headless gateway stops and starts again in
 * the same process, on the config as it is now, holding its home's lock throughout.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { childEnv, runGateway, type ChildRun } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  makeTempHome,
  newIdentity,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

const TOKEN = 'restart-test-token-0123456789';
const homes: string[] = [];
const children: ChildRun[] = [];
let inProcess: TestGateway | undefined;
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await inProcess?.stop();
  inProcess = undefined;
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function connectAt(port: number) {
  const client = deviceClient(`ws://127.0.0.1:${port}/`, {
    identity: await newIdentity(),
    auth: { token: TOKEN },
  });
  await within(OUTCOME_WAIT_MS, client.connect(), `a connect on port ${port}`);
  return client;
}

const lockOf = async (home: string) =>
  JSON.parse(await readFile(join(home, 'state', 'gateway.lock'), 'utf8')) as {
    pid: number;
    port?: number;
  };

describe('gateway.restart', () => {
  it('sends shutdown with restartExpectedMs, closes 1012, and serves again on the port now in the config, in the same process', async () => {
    const home = await makeTempHome();
    homes.push(home);
    const [oldPort, newPort] = [await freePort(), await freePort()];
    await writeConfig(home, { gateway: { port: oldPort } });
    const gateway = runGateway(childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN }));
    children.push(gateway);
    await gateway.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${oldPort}/`));

    const admin = await connectAt(oldPort);
    // A port change needs a restart: the running gateway keeps the old one until then.
    await writeConfig(home, { gateway: { port: newPort } });
    const shutdowns: unknown[] = [];
    admin.on('shutdown', (payload) => shutdowns.push(payload));
    const closed = admin.closed();

    const answer = await within(
      OUTCOME_WAIT_MS,
      admin.request<{ restartExpectedMs: number }>('gateway.restart', {}),
      'the gateway.restart answer',
    );
    expect(answer.restartExpectedMs, 'restartExpectedMs').toBeGreaterThan(0);
    const close = await within(OUTCOME_WAIT_MS, closed, 'the close after gateway.restart');
    expect(close.code, 'close code').toBe(1012);
    expect(shutdowns, 'shutdown events before the close').toEqual([
      { reason: expect.any(String) as unknown, restartExpectedMs: answer.restartExpectedMs },
    ]);

    await gateway.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${newPort}/`), 15_000);
    const again = await connectAt(newPort);
    expect(
      (await again.request<{ port: number }>('status')).port,
      'status.port after the restart',
    ).toBe(newPort);
    again.close();
    expect(gateway.child.exitCode, 'the gateway process is still the same one').toBeNull();
    expect(await lockOf(home), 'the lock after the restart').toEqual(
      expect.objectContaining({ pid: gateway.child.pid, port: newPort }),
    );
  });

  it('answers UNAVAILABLE, and keeps serving, when nothing could start the gateway again', async () => {
    inProcess = await startTestGateway();
    const { client } = await connectDevice(inProcess);
    const error = await client.request('gateway.restart', {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayClientError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toContain('cannot restart itself');
    await client.request('status');
    client.close();
  });
});
