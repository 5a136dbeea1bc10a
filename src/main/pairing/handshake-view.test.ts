import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PairingService } from './pairing-service.js';
import { ManualClock, requestFor, tempHome } from './test-fixtures/support.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;
const open: PairingService[] = [];

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((service) => service.close()));
  await home.remove();
});

async function pairedService(): Promise<{ service: PairingService; deviceId: string }> {
  const service = await PairingService.open({ path: home.storePath, clock });
  open.push(service);
  const { request } = await service.requestPairing(requestFor(1));
  const { device } = await service.approve(request.requestId);
  await service.issueDeviceToken(device.deviceId, 'operator');
  return { service, deviceId: device.deviceId };
}

describe('the paired record the handshake reads (pairedForHandshake)', () => {
  it('cannot be changed by its reader: the stored device keeps its scopes and tokens', async () => {
    const { service, deviceId } = await pairedService();
    const view = service.pairedForHandshake(deviceId)!;
    const before = service.getPaired(deviceId);

    expect(() => view.scopes.push('operator.admin')).toThrow(TypeError);
    expect(() => view.roles.splice(0)).toThrow(TypeError);
    expect(() => view.tokens.splice(0)).toThrow(TypeError);
    expect(() => Object.assign(view.tokens[0]!, { revokedAtMs: 1 })).toThrow(TypeError);
    expect(() => Object.assign(view, { approvedAtMs: 0 })).toThrow(TypeError);
    expect(service.getPaired(deviceId)).toEqual(before);
  });

  it('is the device as last changed, never a stale one', async () => {
    const { service, deviceId } = await pairedService();
    expect(service.pairedForHandshake(deviceId)?.displayName).not.toBe('Renamed');

    await service.rename(deviceId, 'Renamed');
    expect(service.pairedForHandshake(deviceId)?.displayName).toBe('Renamed');

    await service.rotateToken(deviceId);
    expect(service.pairedForHandshake(deviceId)?.tokens[0]?.rotatedAtMs).toBe(clock.now());

    await service.remove(deviceId);
    expect(service.pairedForHandshake(deviceId)).toBeUndefined();
  });

  it('matches the public record apart from the per-connect stamps', async () => {
    const { service, deviceId } = await pairedService();
    await service.recordSeen(deviceId, '192.0.2.7');
    const { lastSeenAtMs, remoteIp, tokens, ...rest } = service.getPaired(deviceId)!;
    expect({ lastSeenAtMs, remoteIp }).toEqual({
      lastSeenAtMs: clock.now(),
      remoteIp: '192.0.2.7',
    });

    expect(service.pairedForHandshake(deviceId)).toEqual({
      ...rest,
      tokens: tokens.map(({ lastUsedAtMs: _used, ...token }) => token),
    });
  });
});
