/**
 * Frames carrying prototype-pollution keys (`__proto__`, `constructor`, `toString`) before
 * and after auth. The gateway runs in this process, so a polluted Object.prototype would
 * show here; each key must be refused (or ignored) without granting or writing anything.
 */
import { describe, expect, it } from 'vitest';
import { guardedGateways, openSession, signedParams } from './support.js';

const start = guardedGateways();

function expectPrototypesClean(): void {
  const probe = {} as Record<string, unknown>;
  expect([probe.polluted, probe.isAdmin, probe.role, probe.scopes]).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
}

describe('before auth', () => {
  it('never lets __proto__ in the connect params change the role or scopes', async () => {
    const g = await start();
    const socket = g.guard.raw();
    const nonce = await socket.challengeNonce();
    const { identity, deviceToken } = g.guard.prePaired;
    const params = await signedParams(nonce, {
      identity,
      auth: { deviceToken },
      signedAtMs: g.clock.now(),
    });
    Object.defineProperty(params, '__proto__', {
      value: { role: 'admin', scopes: ['operator.admin', 'x.root'] },
      enumerable: true,
    });
    socket.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params }));
    const response = await socket.response('c');
    // zod's strict objects pass a "__proto__" key over rather than refuse it; either answer
    // is safe as long as it grants nothing.
    if (response.ok) {
      expect(response.payload).not.toHaveProperty('auth');
      socket.send({ type: 'req', id: 'l', method: 'device.pair.list' });
      const list = (await socket.response('l')).payload as { paired: { scopes: string[] }[] };
      expect(list.paired.map((d) => d.scopes)).toEqual([['operator.admin']]);
      socket.ws.close();
    } else {
      expect(response.error?.code).toBe('INVALID_REQUEST');
    }
    expectPrototypesClean();
    await g.guard.check();
  });

  for (const [name, tamper] of [
    [
      'constructor.prototype in the connect params',
      (p: Record<string, unknown>) =>
        Object.defineProperty(p, 'constructor', {
          value: { prototype: { polluted: true } },
          enumerable: true,
        }),
    ],
    [
      '__proto__ inside client',
      (p: Record<string, unknown>) =>
        Object.defineProperty(p.client, '__proto__', {
          value: { polluted: true },
          enumerable: true,
        }),
    ],
    [
      '__proto__ inside auth',
      (p: Record<string, unknown>) =>
        Object.defineProperty(p.auth, '__proto__', {
          value: { token: 'x', polluted: true },
          enumerable: true,
        }),
    ],
  ] as const) {
    it(`refuses ${name} as INVALID_REQUEST and pollutes nothing`, async () => {
      const g = await start();
      const socket = g.guard.raw();
      const nonce = await socket.challengeNonce();
      const { identity, deviceToken } = g.guard.prePaired;
      const params = await signedParams(nonce, {
        identity,
        auth: { deviceToken },
        signedAtMs: g.clock.now(),
      });
      tamper(params);
      socket.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params }));
      const response = await socket.response('c');
      expect(response.error?.code).toBe('INVALID_REQUEST');
      expect((await socket.closed).code).toBe(1008);
      expectPrototypesClean();
      await g.guard.check();
    });
  }
});

describe('after auth', () => {
  for (const [name, method, params] of [
    ['config.set __proto__.polluted', 'config.set', { path: '__proto__.polluted', value: true }],
    [
      'config.set constructor.prototype.polluted',
      'config.set',
      { path: 'constructor.prototype.polluted', value: true },
    ],
    [
      'config.set a value carrying __proto__',
      'config.set',
      {
        path: 'gateway.pairing',
        value: JSON.parse('{"__proto__":{"autoApproveLocal":false}}') as unknown,
      },
    ],
    [
      'config.set models.providers.__proto__',
      'config.set',
      {
        path: 'models.providers.__proto__',
        value: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
      },
    ],
    [
      'models.providers.upsert with id __proto__',
      'models.providers.upsert',
      { id: '__proto__', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' },
    ],
  ] as const) {
    it(`refuses ${name} with INVALID_REQUEST, leaves the config alone and pollutes nothing`, async () => {
      const g = await start();
      const socket = await openSession(g);
      socket.send({ type: 'req', id: 'p', method, params });
      expect((await socket.response('p')).error?.code).toBe('INVALID_REQUEST');
      expectPrototypesClean();
      socket.ws.close();
      await g.guard.check();
    });
  }

  for (const method of ['device.pair.approve', 'device.pair.reject']) {
    for (const requestId of ['__proto__', 'toString']) {
      it(`answers ${method} of request "${requestId}" with NOT_FOUND and writes nothing`, async () => {
        const g = await start();
        const socket = await openSession(g);
        socket.send({ type: 'req', id: 'p', method, params: { requestId } });
        expect((await socket.response('p')).error?.code).toBe('NOT_FOUND');
        expectPrototypesClean();
        socket.ws.close();
        await g.guard.check();
      });
    }
  }
});
