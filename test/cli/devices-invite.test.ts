/**
 * `special-agent devices invite|invites|invite-revoke|ignore|unignore|rename` against a real
 * gateway, with remote devices through the trusted proxy 127.0.0.2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import type { GatewayClientError } from '../../src/shared/gateway-client.js';
import type { InviteCreated, PairListPayload } from '../../src/shared/protocol.js';
import { runCli } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const PROXY = { localAddress: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.7' } };
const EVENT_WAIT_MS = 5_000;

async function startBehindProxy(): Promise<TestGateway> {
  gateway = await startTestGateway({ config: { gateway: { trustedProxies: ['127.0.0.2'] } } });
  return gateway;
}

/** A remote device connects with only `auth`; resolves with the hello or the refusal. */
async function remoteConnect(gw: TestGateway, identity: DeviceIdentity, auth: object) {
  const client = deviceClient(gw.wsUrl, { identity, auth, ...PROXY });
  const outcome = await client.connect().then(
    (hello) => ({ hello, error: undefined }),
    (error: unknown) => ({ hello: undefined, error: error as GatewayClientError }),
  );
  client.close();
  return outcome;
}

describe('special-agent devices invite', () => {
  it('--json prints the method payload; a remote device pairs with the code at once, and a pairing watcher hears device.paired', async () => {
    const gw = await startBehindProxy();
    const watcher = await connectDevice(gw, { scopes: ['operator.pairing'] });
    const phone = await newIdentity();
    const paired = new Promise<{ approvedBy: string; device: { deviceId: string } }>(
      (resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no device.paired event for the phone within ${EVENT_WAIT_MS} ms`)),
          EVENT_WAIT_MS,
        );
        watcher.client.on('device.paired', (payload) => {
          const event = payload as { approvedBy: string; device: { deviceId: string } };
          if (event.device.deviceId !== phone.deviceId) return;
          clearTimeout(timer);
          resolve(event);
        });
      },
    );
    const env = cliEnvFor(gw);

    const created = JSON.parse(
      expectOk(await runCli(['devices', 'invite', '--scopes', 'read', '--json'], env)),
    ) as InviteCreated;
    expect(Object.keys(created).sort()).toEqual(
      ['code', 'expiresAtMs', 'inviteId', 'role', 'scopes', 'setupUrl'].sort(),
    );
    expect(created.scopes).toEqual(['operator.read']);

    const { hello, error } = await remoteConnect(gw, phone, { bootstrapToken: created.code });
    expect(error).toBeUndefined();
    expect(hello?.auth).toMatchObject({
      deviceToken: expect.any(String),
      scopes: ['operator.read'],
    });
    expect(await paired).toMatchObject({ approvedBy: 'invite' });
    watcher.client.close();

    const list = JSON.parse(
      expectOk(await runCli(['devices', 'list', '--json'], env)),
    ) as PairListPayload;
    expect(list.pending).toEqual([]);
    expect(list.paired.find((device) => device.deviceId === phone.deviceId)).toMatchObject({
      approvedBy: 'invite',
      scopes: ['operator.read'],
    });
    const reused = await remoteConnect(gw, await newIdentity(), { bootstrapToken: created.code });
    expect(reused.error?.detailCode).toBe('INVITE_INVALID');
  });

  it('prints a QR code, the setup URL, what it grants and when it expires; invites lists it; invite-revoke ends it', async () => {
    const gw = await startBehindProxy();
    const env = cliEnvFor(gw);
    const out = expectOk(
      await runCli(['devices', 'invite', '--ttl', '90s', '--label', 'Phone of Ada'], env),
    );
    const url = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/#invite=[A-Za-z0-9_-]{22})$/m.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(out).toMatch(/[▀▄█]{10}/); // the terminal QR code's block characters
    expect(out).toContain('Scopes:  read,write (role operator)');
    expect(out).toMatch(/Expires: in 1 min/);
    expect(out).not.toContain('TLS fingerprint');
    const inviteId = /devices invite-revoke ([0-9a-f]{8})/.exec(out)?.[1];
    expect(inviteId).toBeDefined();

    const listed = expectOk(await runCli(['devices', 'invites'], env));
    expect(listed).toMatch(/Invites \(1\)/);
    expect(listed).toMatch(new RegExp(`${inviteId}\\s+Phone of Ada\\s+read,write`));
    expect(listed).not.toContain(url!.split('=')[1]);

    expect(expectOk(await runCli(['devices', 'invite-revoke', inviteId!], env))).toBe(
      `Revoked invite ${inviteId}\n`,
    );
    expect(expectOk(await runCli(['devices', 'invites', '--json'], env))).toBe(
      '{\n  "invites": []\n}\n',
    );
    const code = url!.split('#invite=')[1]!;
    const { error } = await remoteConnect(gw, await newIdentity(), { bootstrapToken: code });
    expect(error?.detailCode).toBe('INVITE_INVALID');
  });

  it.each([['30s'], ['2h'], ['10 minutes']])(
    'refuses --ttl %s with a usage error (exit 2)',
    async (ttl) => {
      const gw = await startBehindProxy();
      expectOneLineFailure(
        await runCli(['devices', 'invite', '--ttl', ttl], cliEnvFor(gw)),
        2,
        /expected a duration from 60s to 1h/,
      );
    },
  );
});

describe('special-agent devices ignore|unignore|rename', () => {
  it('ignores a request, lists the device as ignored, unignores it, and renames a paired device', async () => {
    const gw = await startBehindProxy();
    const env = cliEnvFor(gw);
    const phone = await newIdentity();
    const asked = await remoteConnect(gw, phone, { token: gw.token });
    const requestId = asked.error?.details?.requestId as string;
    expect(requestId).toEqual(expect.any(String));

    expect(expectOk(await runCli(['devices', 'ignore', requestId.slice(0, 8)], env))).toBe(
      `Ignored device ${phone.deviceId.slice(0, 12)}; undo with: special-agent devices unignore ${phone.deviceId.slice(0, 12)}\n`,
    );
    const list = JSON.parse(
      expectOk(await runCli(['devices', 'list', '--json'], env)),
    ) as PairListPayload;
    expect(list.pending).toEqual([]);
    expect(list.ignored.map((device) => device.deviceId)).toEqual([phone.deviceId]);
    const ignoredTry = await remoteConnect(gw, phone, { token: gw.token });
    expect(ignoredTry.error?.details).toMatchObject({ code: 'PAIRING_REQUIRED', requestId });

    expect(expectOk(await runCli(['devices', 'unignore', phone.deviceId.slice(0, 12)], env))).toBe(
      `Unignored device ${phone.deviceId.slice(0, 12)}\n`,
    );
    const retry = await remoteConnect(gw, phone, { token: gw.token });
    expect(retry.error?.details?.requestId).not.toBe(requestId);

    const tablet = await connectDevice(gw);
    tablet.client.close();
    const short = tablet.identity.deviceId.slice(0, 12);
    expect(expectOk(await runCli(['devices', 'rename', short, 'Kitchen tablet'], env))).toBe(
      `Renamed Kitchen tablet (device ${short})\n`,
    );
    expectOneLineFailure(
      await runCli(['devices', 'rename', short, ' '], env),
      1,
      /invalid params for device\.rename at params\.displayName: must not be empty/,
    );
  });
});
