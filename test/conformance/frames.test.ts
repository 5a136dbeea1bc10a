/**
 * PROTOCOL.md "Frames" and "Close codes" after hello-ok: request/response correlation,
 * INVALID_REQUEST for malformed frames, and error codes from the documented list only.
 */
import { describe, expect, it } from 'vitest';
import { signConnect } from '../../src/shared/gateway-client.js';
import { PROTOCOL_ERROR_CODES } from '../../src/shared/errors.js';
import { newIdentity, TEST_CLIENT, type RawSocket } from '../helpers/gateway.js';
import { gatewayPerCase } from './support.js';

const gw = gatewayPerCase();

/** A raw socket past hello-ok. */
async function openRaw(gateway: Awaited<ReturnType<typeof gw.start>>): Promise<RawSocket> {
  const socket = gw.raw(gateway);
  const nonce = await socket.challengeNonce();
  const params = await signConnect({
    identity: await newIdentity(),
    nonce,
    client: TEST_CLIENT,
    auth: { token: gateway.token },
    signedAtMs: Date.now(),
  });
  socket.send({ type: 'req', id: 'hello', method: 'connect', params });
  const hello = await socket.response('hello');
  expect(hello.ok).toBe(true);
  expect((hello.payload as { type: string }).type).toBe('hello-ok');
  return socket;
}

describe('after hello-ok', () => {
  it('answers each request with its own id and ok:true', async () => {
    const gateway = await gw.start();
    const socket = await openRaw(gateway);
    socket.send({ type: 'req', id: 'a-1', method: 'status' });
    socket.send({ type: 'req', id: 'a-2', method: 'agents.list', params: {} });
    const [a, b] = await Promise.all([socket.response('a-1'), socket.response('a-2')]);
    expect(a).toMatchObject({ type: 'res', id: 'a-1', ok: true });
    expect(b).toMatchObject({ type: 'res', id: 'a-2', ok: true });
  });

  it('rejects unknown top-level fields with INVALID_REQUEST, echoing the id, and stays open', async () => {
    const gateway = await gw.start();
    const socket = await openRaw(gateway);
    socket.send({ type: 'req', id: 'x-1', method: 'status', extra: 1 });
    const bad = await socket.response('x-1');
    expect(bad).toMatchObject({
      type: 'res',
      id: 'x-1',
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    socket.send({ type: 'req', id: 'x-2', method: 'status', params: [1] });
    expect((await socket.response('x-2')).error?.code).toBe('INVALID_REQUEST');
    socket.send({ type: 'req', id: 'x-3', method: 'status' });
    expect((await socket.response('x-3')).ok).toBe(true);
  });

  it('answers a second connect with INVALID_REQUEST and keeps the session', async () => {
    const gateway = await gw.start();
    const socket = await openRaw(gateway);
    socket.send({ type: 'req', id: 'again', method: 'connect', params: {} });
    expect((await socket.response('again')).error?.code).toBe('INVALID_REQUEST');
    socket.send({ type: 'req', id: 's', method: 'status' });
    expect((await socket.response('s')).ok).toBe(true);
  });

  it('uses only the documented error codes, and no stack in messages', async () => {
    const gateway = await gw.start();
    const socket = await openRaw(gateway);
    const probes: [string, Record<string, unknown>][] = [
      ['nope.method', {}],
      ['device.pair.approve', { requestId: 'missing' }],
      ['device.pair.remove', { deviceId: 'f'.repeat(64) }],
      ['config.set', { path: 'gateway.port', value: 'not-a-port' }],
      ['config.get', { path: '' }],
      ['models.providers.remove', { id: 'nope' }],
      ['chat.send', { message: 'hi', agentId: 'none' }],
    ];
    for (const [index, [method, params]] of probes.entries()) {
      socket.send({ type: 'req', id: `p${index}`, method, params });
      const answer = await socket.response(`p${index}`);
      expect(answer.ok, method).toBe(false);
      expect(PROTOCOL_ERROR_CODES as readonly string[]).toContain(answer.error?.code);
      expect(answer.error?.message).not.toMatch(/\n\s+at |node_modules|\/src\//);
    }
  });

  it('closes 1009 on a frame past policy.maxPayload', async () => {
    const gateway = await gw.start({ limits: { maxPayload: 4096 } });
    const socket = await openRaw(gateway);
    socket.send({ type: 'req', id: 'big', method: 'status', params: { pad: 'x'.repeat(8192) } });
    expect((await socket.closed).code).toBe(1009);
  });
});
