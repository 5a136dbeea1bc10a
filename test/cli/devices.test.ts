import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../src/shared/gateway-client.js';
import { runCli } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import { allKeys, cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const PROXY = { localAddress: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.7' } };

async function startBehindProxy(): Promise<TestGateway> {
  gateway = await startTestGateway({ config: { gateway: { trustedProxies: ['127.0.0.2'] } } });
  return gateway;
}

/** A remote device (through the trusted proxy) asks to pair; returns its request id. */
async function remoteRequest(
  gw: TestGateway,
  identity: DeviceIdentity,
  scopes?: string[],
): Promise<string> {
  const client = deviceClient(gw.wsUrl, {
    identity,
    auth: { token: gw.token },
    ...PROXY,
    client: { displayName: 'Phone of Ada' },
    ...(scopes ? { scopes } : {}),
  });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayClientError);
  expect((error as GatewayClientError).detailCode).toBe('PAIRING_REQUIRED');
  return (error as GatewayClientError).details?.requestId as string;
}

describe('special-agent devices', () => {
  it('lists a remote pending request and paired devices readably, and as the device.pair.list payload with --json', async () => {
    const gw = await startBehindProxy();
    const phone = await newIdentity();
    const requestId = await remoteRequest(gw, phone);
    const env = cliEnvFor(gw);

    const text = expectOk(await runCli(['devices', 'list'], env));
    expect(text).toContain('Pending (1)');
    expect(text).toContain(requestId.slice(0, 8));
    expect(text).toContain(phone.deviceId.slice(0, 12));
    expect(text).toContain('203.0.113.7');
    expect(text).toContain('Phone of Ada');
    expect(text).toMatch(/just now|\d+ s ago/);
    // The CLI itself connected from loopback and was approved silently.
    expect(text).toMatch(/Paired \(1\)[\s\S]*special-agent-cli[\s\S]*active/);

    const json = await runCli(['devices', 'list', '--json'], env);
    const payload = JSON.parse(expectOk(json)) as {
      pending: Record<string, unknown>[];
      paired: Record<string, unknown>[];
    };
    expect(Object.keys(payload).sort()).toEqual(['ignored', 'paired', 'pending']);
    expect(payload.pending[0]).toMatchObject({
      requestId,
      deviceId: phone.deviceId,
      remoteIp: '203.0.113.7',
      reason: 'not-paired',
    });
    expect(payload.paired[0]).toMatchObject({
      clientId: 'special-agent-cli',
      approvedBy: 'local-auto',
    });
    const keys = allKeys(payload);
    expect(keys.filter((key) => /hash|^token$|deviceToken|secret|password/i.test(key))).toEqual([]);
    expect(json.stdout).not.toContain(gw.token);
  });

  it('approves a remote request, after which that device connects', async () => {
    const gw = await startBehindProxy();
    const phone = await newIdentity();
    const requestId = await remoteRequest(gw, phone);
    const out = expectOk(await runCli(['devices', 'approve', requestId], cliEnvFor(gw)));
    expect(out).toMatch(/^Approved Phone of Ada \(device [0-9a-f]{12}\)\n$/);
    const { hello } = await connectDevice(gw, { identity: phone, ...PROXY });
    expect(hello.type).toBe('hello-ok');
  });

  it('approves with --name and --scopes: the device is paired under that name with only those scopes', async () => {
    const gw = await startBehindProxy();
    const phone = await newIdentity();
    const requestId = await remoteRequest(gw, phone, ['operator.write', 'operator.pairing']);
    const env = cliEnvFor(gw);
    const args = ['devices', 'approve', requestId.slice(0, 8), '--name', ' Work phone '];
    const out = expectOk(await runCli([...args, '--scopes', 'read, operator.pairing'], env));
    expect(out).toMatch(/^Approved Work phone \(device [0-9a-f]{12}\)\n$/);
    const list = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      paired: { deviceId: string; displayName?: string; scopes: string[] }[];
    };
    expect(list.paired.find((device) => device.deviceId === phone.deviceId)).toMatchObject({
      displayName: 'Work phone',
      scopes: ['operator.read', 'operator.pairing'],
    });
    // Only what was approved: the device connects with those scopes, not with write.
    const { hello } = await connectDevice(gw, {
      identity: phone,
      scopes: ['operator.read', 'operator.pairing'],
      ...PROXY,
    });
    expect(hello.auth?.scopes).toEqual(['operator.read', 'operator.pairing']);
    await expect(
      connectDevice(gw, { identity: phone, scopes: ['operator.write'], ...PROXY }),
    ).rejects.toMatchObject({ details: { code: 'PAIRING_REQUIRED', reason: 'scope-upgrade' } });
  });

  it('refuses --scopes beyond the request, or empty, and leaves the request pending', async () => {
    const gw = await startBehindProxy();
    const requestId = await remoteRequest(gw, await newIdentity(), ['operator.read']);
    const env = cliEnvFor(gw);
    expectOneLineFailure(
      await runCli(['devices', 'approve', requestId, '--scopes', 'write'], env),
      1,
      /scope operator\.write is not in pairing request .*\(it asks for operator\.read\); approval scopes may only narrow the request/,
    );
    expectOneLineFailure(
      await runCli(['devices', 'approve', requestId, '--scopes', ' , '], env),
      2,
      /expected scope names separated by commas, e\.g\. read,write/,
    );
    const list = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      pending: { requestId: string }[];
    };
    expect(list.pending.map((request) => request.requestId)).toEqual([requestId]);
  });

  it('rejects a remote request by id prefix; it is no longer pending and the device is not paired', async () => {
    const gw = await startBehindProxy();
    const phone = await newIdentity();
    const requestId = await remoteRequest(gw, phone);
    const env = cliEnvFor(gw);
    expect(expectOk(await runCli(['devices', 'reject', requestId.slice(0, 10)], env))).toMatch(
      /^Rejected /,
    );
    const list = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      pending: unknown[];
      paired: { deviceId: string }[];
    };
    expect(list.pending).toEqual([]);
    expect(list.paired.map((device) => device.deviceId)).not.toContain(phone.deviceId);
  });

  it('revokes and removes a paired device given by a 12-character prefix, closing its connection', async () => {
    const gw = await startBehindProxy();
    const { client, identity } = await connectDevice(gw);
    const env = cliEnvFor(gw);
    const closed = client.closed();
    expect(
      expectOk(await runCli(['devices', 'revoke', identity.deviceId.slice(0, 12)], env)),
    ).toMatch(/^Revoked the token of /);
    expect((await closed).code).toBe(4001);
    const text = expectOk(await runCli(['devices', 'list'], env));
    expect(text).toMatch(new RegExp(`${identity.deviceId.slice(0, 12)}.*revoked`));
    expectOk(await runCli(['devices', 'remove', identity.deviceId], env));
    const list = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      paired: { deviceId: string }[];
    };
    expect(list.paired.map((device) => device.deviceId)).not.toContain(identity.deviceId);
  });

  it("exits 1 with the gateway's one-line message for an unknown request or device id", async () => {
    const gw = await startBehindProxy();
    const env = cliEnvFor(gw);
    expectOneLineFailure(
      await runCli(['devices', 'approve', 'no-such-request'], env),
      1,
      /pairing request no-such-request not found.*special-agent devices list/,
    );
    expectOneLineFailure(
      await runCli(['devices', 'remove', 'f'.repeat(64)], env),
      1,
      /device f{64} is not paired/,
    );
    expectOneLineFailure(
      await runCli(['devices', 'rotate', 'abcdef0123'], env),
      1,
      /device abcdef0123 is not paired/,
    );
  });

  it('refuses an argument that cannot be a device id as a usage error (exit 2)', async () => {
    const gw = await startBehindProxy();
    expectOneLineFailure(
      await runCli(['devices', 'remove', 'not-hex'], cliEnvFor(gw)),
      2,
      /"not-hex" is not a device id/,
    );
  });

  it('says how to start a gateway when none is running', async () => {
    const gw = await startBehindProxy();
    const env = cliEnvFor(gw);
    await gw.stop();
    gateway = undefined;
    const result = await runCli(['devices', 'list'], env);
    expectOneLineFailure(
      result,
      1,
      /^special-agent: no gateway running at http:\/\/127\.0\.0\.1:\d+ \(start one with: special-agent gateway run, or npm run gateway\)$/,
    );
  });
});
