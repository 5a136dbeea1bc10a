/**
 * Unauthorized calls after auth: a device calling methods beyond its approved scopes gets
 * FORBIDDEN/MISSING_SCOPE, changes nothing, and is cut off (close 1008) at the 10th such
 * call. A pairing-only device cannot approve itself into admin.
 */
import { describe, expect, it } from 'vitest';
import { GatewayClientError, type GatewayClient } from '../../src/shared/gateway-client.js';
import type { PrePaired } from '../helpers/nothing-lost.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { guardedGateways } from './support.js';

const start = guardedGateways();

async function session(
  g: GuardedGateway,
  device: PrePaired,
  scopes?: string[],
): Promise<GatewayClient> {
  const client = g.guard.client({
    identity: device.identity,
    auth: { deviceToken: device.deviceToken },
    ...(scopes ? { scopes } : {}),
  });
  await client.connect();
  return client;
}

/** Ten calls a read-only device must not make, aimed at the pre-paired admin device. */
function forbiddenCalls(g: GuardedGateway): [string, Record<string, unknown>, string][] {
  const victim = g.guard.prePaired.identity.deviceId;
  return [
    ['config.set', { path: 'gateway.auth.mode', value: 'none' }, 'operator.admin'],
    ['config.get', {}, 'operator.admin'],
    ['models.providers.setKey', { id: 'openai', apiKey: 'sk-attacker' }, 'operator.admin'],
    ['gateway.auth.rotate', {}, 'operator.admin'],
    ['device.pair.list', {}, 'operator.pairing'],
    ['device.token.revoke', { deviceId: victim }, 'operator.pairing'],
    ['device.token.rotate', { deviceId: victim }, 'operator.pairing'],
    ['device.pair.remove', { deviceId: victim }, 'operator.pairing'],
    ['chat.send', { message: 'hi' }, 'operator.write'],
    ['config.unset', { path: 'gateway.port' }, 'operator.admin'],
  ];
}

describe('calls beyond the approved scopes', () => {
  it('answers 9 with MISSING_SCOPE, keeps the session, and closes 1008 on the 10th', async () => {
    const g = await start({ extraDevices: [['operator.read']] });
    const reader = await session(g, g.extraDevices[0]!);
    const calls = forbiddenCalls(g);
    for (const [index, [method, params, requiredScope]] of calls.entries()) {
      const error = await reader.request(method, params).then(
        () => undefined,
        (e: GatewayClientError) => e,
      );
      expect(error, method).toBeInstanceOf(GatewayClientError);
      expect(error).toMatchObject({
        code: 'FORBIDDEN',
        details: { code: 'MISSING_SCOPE', requiredScope },
      });
      if (index < calls.length - 1)
        expect(await reader.request('status'), 'still served after a refusal').toBeTruthy();
    }
    const closed = await reader.closed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^unauthorized: /);
    await g.guard.check();
  });

  it('answers at most 10 of 20 pipelined forbidden calls before closing', async () => {
    const g = await start({ extraDevices: [['operator.read']] });
    const reader = await session(g, g.extraDevices[0]!);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        reader.request('device.token.revoke', { deviceId: g.guard.prePaired.identity.deviceId }),
      ),
    );
    const refusals = outcomes.filter(
      (o) => o.status === 'rejected' && (o.reason as GatewayClientError).code === 'FORBIDDEN',
    );
    expect(refusals).toHaveLength(10);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toEqual([]);
    expect((await reader.closed()).code).toBe(1008);
    await g.guard.check();
  });

  it('does not let a pairing-only device approve its own upgrade to admin', async () => {
    const g = await start({ extraDevices: [['operator.pairing']] });
    const pairer = g.extraDevices[0]!;
    // Ask for admin: a scope upgrade goes to a pending request…
    const upgrade = await session(g, pairer, ['operator.pairing', 'operator.admin']).then(
      () => undefined,
      (e: GatewayClientError) => e,
    );
    expect(upgrade?.details).toMatchObject({ code: 'PAIRING_REQUIRED', reason: 'scope-upgrade' });
    // …which the device, reconnected with the scopes it has, then tries to approve itself.
    const client = await session(g, pairer, ['operator.pairing']);
    const error = await client
      .request('device.pair.approve', { requestId: upgrade?.details?.requestId })
      .then(
        () => undefined,
        (e: GatewayClientError) => e,
      );
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.admin' },
    });
    client.close();
    // The pending upgrade request is the one intended change.
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});
