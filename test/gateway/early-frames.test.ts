/**
 * Requests sent right behind `connect`, before `hello-ok` came back (a client that
 * pipelines its first calls): they are answered after `hello-ok`, in order, and dropped
 * with a refused connect, whose error `res` always comes first (PROTOCOL.md "Close codes").
 * What may wait is bounded like one pre-auth frame.
 */
import { describe, expect, it } from 'vitest';
import { signConnect } from '../../src/shared/gateway-client.js';
import { gatewayPerCase } from '../conformance/support.js';
import { newIdentity, TEST_CLIENT, type RawSocket } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

const gw = gatewayPerCase();

/** Sends a signed connect with `token` on `socket`, then `after` in the same tick. */
async function connectThen(socket: RawSocket, token: string, after: unknown[]) {
  const params = await signConnect({
    identity: await newIdentity(),
    nonce: await socket.challengeNonce(),
    client: TEST_CLIENT,
    auth: { token },
    signedAtMs: Date.now(),
  });
  socket.send({ type: 'req', id: 'c1', method: 'connect', params });
  for (const frame of after) socket.send(frame);
}

const responseIds = (socket: RawSocket) =>
  socket.frames.filter((frame) => frame.type === 'res').map((frame) => frame.id);

describe('requests sent before hello-ok', () => {
  it('are answered after hello-ok, in the order they were sent', async () => {
    const gateway = await gw.start();
    const socket = gw.raw(gateway);
    await connectThen(socket, gateway.token, [
      { type: 'req', id: 's1', method: 'status' },
      { type: 'req', id: 's2', method: 'status' },
    ]);
    const hello = await within(OUTCOME_WAIT_MS, socket.response('c1'), 'the connect response');
    expect(hello.ok, JSON.stringify(hello.error)).toBe(true);
    const [first, second] = await within(
      OUTCOME_WAIT_MS,
      Promise.all([socket.response('s1'), socket.response('s2')]),
      'answers to both early status requests',
    );
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(responseIds(socket), 'responses in order, hello-ok first').toEqual(['c1', 's1', 's2']);
  });

  it('are dropped with a refused connect, whose error comes first', async () => {
    const gateway = await gw.start();
    const socket = gw.raw(gateway);
    await connectThen(socket, 'not-the-token', [{ type: 'req', id: 's1', method: 'status' }]);
    const closed = await within(OUTCOME_WAIT_MS, socket.closed, 'the close');
    expect(closed.code).toBe(1008);
    expect(responseIds(socket), 'only the connect is answered').toEqual(['c1']);
    const refusal = await socket.response('c1');
    expect(refusal.error?.details?.code).toBe('AUTH_TOKEN_MISMATCH');
  });

  it('close 1008 past 64 KiB in all, without answering them', async () => {
    const gateway = await gw.start();
    const socket = gw.raw(gateway);
    // Two frames, each within the pre-auth frame limit, together past it.
    const padded = (id: string) => ({
      type: 'req',
      id,
      method: 'status',
      params: { pad: 'x'.repeat(40 * 1024) },
    });
    await connectThen(socket, gateway.token, [padded('p1'), padded('p2')]);
    const closed = await within(OUTCOME_WAIT_MS, socket.closed, 'the close');
    expect(closed).toEqual({
      code: 1008,
      reason: 'invalid handshake: too much sent before the connect response',
    });
    expect(
      responseIds(socket).filter((id) => id !== 'c1'),
      'no early request answered',
    ).toEqual([]);
  });
});
