import { afterEach, describe, expect, it } from 'vitest';
import { signConnect } from '../../src/shared/gateway-client.js';
import {
  newIdentity,
  RawSocket,
  startTestGateway,
  TEST_CLIENT,
  type TestGateway,
} from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

/**
 * A first frame that is not a well-formed `connect` is answered with what is wrong with it
 * and closed 1008. The gateway checks a connect frame in one pass and works out the precise
 * reason only for a frame that fails (connect-step.ts `ConnectStep#refuse`): these are
 * the answers a client sees for each kind of bad first frame.
 */
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

async function firstFrame(gw: TestGateway, frame: (nonce: string) => Promise<unknown>) {
  const socket = new RawSocket(gw.wsUrl);
  const nonce = await within(OUTCOME_WAIT_MS, socket.challengeNonce(), 'connect.challenge');
  socket.send(await frame(nonce));
  const response = await within(
    OUTCOME_WAIT_MS,
    socket.response('f1'),
    'the answer to the first frame',
  );
  const close = await within(OUTCOME_WAIT_MS, socket.closed, 'the close after the answer');
  return { error: response.error, close };
}

async function signedParams(gw: TestGateway, nonce: string): Promise<Record<string, unknown>> {
  return await signConnect({
    identity: await newIdentity(),
    nonce,
    client: TEST_CLIENT,
    auth: { token: gw.token },
    signedAtMs: Date.now(),
  });
}

describe('a bad first frame', () => {
  it('that is another method says the first request must be connect', async () => {
    gateway = await startTestGateway();
    const { error, close } = await firstFrame(gateway, () =>
      Promise.resolve({ type: 'req', id: 'f1', method: 'status' }),
    );
    expect(error?.code).toBe('INVALID_REQUEST');
    expect(error?.message).toBe('invalid handshake: the first request must be connect');
    expect(close).toEqual({ code: 1008, reason: 'invalid handshake' });
  });

  it('with a field a request frame does not have names the frame as invalid', async () => {
    gateway = await startTestGateway();
    const gw = gateway;
    const { error, close } = await firstFrame(gw, async (nonce) => ({
      type: 'req',
      id: 'f1',
      method: 'connect',
      params: await signedParams(gw, nonce),
      extra: true,
    }));
    expect(error?.code).toBe('INVALID_REQUEST');
    expect(error?.message).toMatch(/^invalid request frame: /);
    expect(close).toEqual({ code: 1008, reason: 'invalid handshake' });
  });

  it('with a malformed scope names the param at fault', async () => {
    gateway = await startTestGateway();
    const gw = gateway;
    const { error, close } = await firstFrame(gw, async (nonce) => ({
      type: 'req',
      id: 'f1',
      method: 'connect',
      params: { ...(await signedParams(gw, nonce)), scopes: ['Not A Scope'] },
    }));
    expect(error?.code).toBe('INVALID_REQUEST');
    expect(error?.message).toMatch(/^invalid connect params: scopes\.0: /);
    expect(close).toEqual({ code: 1008, reason: 'invalid connect params' });
  });

  it('without params names the first missing param', async () => {
    gateway = await startTestGateway();
    const { error, close } = await firstFrame(gateway, () =>
      Promise.resolve({ type: 'req', id: 'f1', method: 'connect' }),
    );
    expect(error?.code).toBe('INVALID_REQUEST');
    expect(error?.message).toMatch(/^invalid connect params: minProtocol: /);
    expect(close).toEqual({ code: 1008, reason: 'invalid connect params' });
  });
});
