import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PairedDevice } from '../../src/shared/protocol.js';
import { childEnv, refusalOf, runGateway, type ChildRun } from '../helpers/child.js';
import { deviceClient, makeTempHome, newIdentity, writeConfig } from '../helpers/gateway.js';

const TOKEN = 'persistence-test-token-0123456789';
const homes: string[] = [];
const children: ChildRun[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function startGateway(home: string): Promise<{ child: ChildRun; wsUrl: string }> {
  const child = runGateway(childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN }));
  children.push(child);
  const [, url] = await child.waitFor(/listening on (http:\/\/\S+)/);
  return { child, wsUrl: url!.replace('http://', 'ws://') };
}

/** Device state as a person would see it in `devices list`, without volatile fields. */
function summary(devices: PairedDevice[]) {
  return devices
    .map((d) => ({
      deviceId: d.deviceId,
      tokens: d.tokens.map((t) => ({
        revoked: t.revokedAtMs !== undefined,
        rotated: t.rotatedAtMs !== undefined,
      })),
    }))
    .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}

describe('restarts keep paired devices', () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps 3 devices, one revoked and one rotated, across a ${signal} restart`, async () => {
      const home = await makeTempHome();
      homes.push(home);
      await writeConfig(home, { gateway: { port: 0 } });
      const first = await startGateway(home);
      const identities = await Promise.all([newIdentity(), newIdentity(), newIdentity()]);
      const tokens: string[] = [];
      for (const identity of identities) {
        const client = deviceClient(first.wsUrl, { identity, auth: { token: TOKEN } });
        tokens.push((await client.connect()).auth!.deviceToken);
        client.close();
      }
      const admin = deviceClient(first.wsUrl, { identity: identities[0], auth: { token: TOKEN } });
      // Authenticating with the shared secret again replaces that device's token.
      tokens[0] = (await admin.connect()).auth!.deviceToken;
      await admin.request('device.token.revoke', { deviceId: identities[1].deviceId });
      await admin.request('device.token.rotate', { deviceId: identities[2].deviceId });
      const before = summary(
        (await admin.request<{ paired: PairedDevice[] }>('device.pair.list')).paired,
      );
      admin.close();
      first.child.child.kill(signal);
      await first.child.exited;
      JSON.parse(await readFile(join(home, 'state', 'devices.json'), 'utf8'));

      const second = await startGateway(home);
      // The untouched device still gets in with its device token alone; the others do not.
      const kept = deviceClient(second.wsUrl, {
        identity: identities[0],
        auth: { deviceToken: tokens[0] },
      });
      await kept.connect();
      const after = summary(
        (await kept.request<{ paired: PairedDevice[] }>('device.pair.list')).paired,
      );
      expect(after).toEqual(before);
      expect(after.map((d) => d.tokens[0])).toContainEqual({ revoked: true, rotated: false });
      kept.close();
      for (const index of [1, 2]) {
        const refused = deviceClient(second.wsUrl, {
          identity: identities[index]!,
          auth: { deviceToken: tokens[index] },
        });
        await expect(refused.connect()).rejects.toMatchObject({
          details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' },
        });
      }
      second.child.child.kill('SIGTERM');
      expect((await second.child.exited).code).toBe(0);
    });
  }
});

describe('a corrupt pairing store', () => {
  it('makes startup refuse with exit 78 and keeps the corrupt bytes aside, byte-identical', async () => {
    const home = await makeTempHome();
    homes.push(home);
    await writeConfig(home, { gateway: { port: 0 } });
    await mkdir(join(home, 'state'), { recursive: true });
    const corrupt = '{"version":1,"pending":{},"paired":{"abc": tru';
    await writeFile(join(home, 'state', 'devices.json'), corrupt);
    const child = runGateway(childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN }));
    children.push(child);
    const result = await refusalOf(child, 'the exit of a gateway with a corrupt pairing store');
    expect(result.listening, 'a gateway with a corrupt pairing store started listening').toBe(
      false,
    );
    expect(result.code, 'exit code').toBe(78);
    const aside = (await readdir(join(home, 'state'))).filter((name) =>
      name.startsWith('devices.json.corrupt-'),
    );
    expect(aside).toHaveLength(1);
    expect(result.stderr).toContain(aside[0]);
    expect(await readFile(join(home, 'state', aside[0]!), 'utf8')).toBe(corrupt);
    expect(result.stdout).not.toContain('listening');
  });
});
