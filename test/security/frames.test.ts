/**
 * Hostile frames before and after auth: sizes at and past the limits, invalid UTF-8, deep
 * nesting and 10k-key objects. Each gets a defined error (or a close) and the gateway stays
 * up. Prototype-pollution keys are in frames-prototype-keys.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { closeOrAnswer, type RawSocket } from '../helpers/gateway.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';
import { maskedTextHeader, RawWebSocket } from './raw-websocket.js';
import { guardedGateways, openSession, signedParams } from './support.js';

const start = guardedGateways();
const PREAUTH_MAX = 64 * 1024;
const MAX_PAYLOAD = 1024 * 1024;
/** RFC 6455 "invalid frame payload data": ws closes with it on invalid UTF-8. */
const INVALID_UTF8_CLOSE = 1007;

/** A signed connect frame of the pre-paired device for this socket, as text. */
async function connectText(g: GuardedGateway, socket: RawSocket): Promise<string> {
  const nonce = await socket.challengeNonce();
  const { identity, deviceToken } = g.guard.prePaired;
  const params = await signedParams(nonce, {
    identity,
    auth: { deviceToken },
    signedAtMs: g.clock.now(),
  });
  return JSON.stringify({ type: 'req', id: 'c', method: 'connect', params });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const manyKeys = (count: number) =>
  `{${Array.from({ length: count }, (_, i) => `"k${i}":0`).join(',')}}`;

describe('before auth', () => {
  it('admits a valid connect padded to exactly 64 KiB and closes 1009 on one byte more', async () => {
    const g = await start();
    const fits = g.guard.raw();
    const text = await connectText(g, fits);
    fits.send(text.padEnd(PREAUTH_MAX, ' '));
    expect((await fits.response('c')).ok).toBe(true);
    fits.ws.close();
    const over = g.guard.raw();
    over.send((await connectText(g, over)).padEnd(PREAUTH_MAX + 1, ' '));
    const closed = await closeOrAnswer(over, 'c', 'close 1009 of a 64 KiB + 1 connect');
    expect(closed, 'close of a connect 1 byte past 64 KiB').toEqual({
      code: 1009,
      reason: 'preauth payload too large',
    });
    await g.guard.check();
  });

  it('closes 1009 as soon as a frame header announces 200 KiB, before any payload is sent', async () => {
    const g = await start();
    const socket = new RawWebSocket(g.gateway.app.port);
    expect(await within(OUTCOME_WAIT_MS, socket.status, 'HTTP response to the upgrade')).toBe(101);
    await within(OUTCOME_WAIT_MS, socket.firstTextFrame(), 'connect challenge');
    // Only the 14-byte header: the payload never follows, so a server that waits for it
    // (buffering up to maxPayload per socket) never answers.
    socket.socket.write(maskedTextHeader(200 * 1024));
    const close = await within(
      OUTCOME_WAIT_MS,
      socket.closeFrame,
      'close frame after a 200 KiB header',
    );
    socket.destroy();
    expect(close).toEqual({ code: 1009, reason: 'preauth payload too large' });
    await g.guard.check();
  });

  it('closes 1009 on a first frame past maxPayload', async () => {
    const g = await start();
    const socket = g.guard.raw();
    await socket.challengeNonce();
    socket.send('x'.repeat(MAX_PAYLOAD + 1));
    expect((await socket.closed).code).toBe(1009);
    await g.guard.check();
  });

  it(`closes ${INVALID_UTF8_CLOSE} on a text frame that is not UTF-8`, async () => {
    const g = await start();
    const socket = g.guard.raw();
    await socket.challengeNonce();
    socket.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), {
      binary: false,
    });
    expect((await socket.closed).code).toBe(INVALID_UTF8_CLOSE);
    await g.guard.check();
  });

  for (const [name, frame] of [
    ['20 000 nested arrays', nested(20_000)],
    [
      'connect params nested 20 000 deep',
      `{"type":"req","id":"c","method":"connect","params":{"client":${nested(20_000)}}}`,
    ],
    [
      'connect params with 5 000 keys',
      `{"type":"req","id":"c","method":"connect","params":${manyKeys(5_000)}}`,
    ],
    ['a frame with 5 000 top-level keys', manyKeys(5_000)],
  ] as const) {
    it(`answers ${name} with INVALID_REQUEST and close 1008`, async () => {
      const g = await start();
      const socket = g.guard.raw();
      await socket.challengeNonce();
      socket.send(frame);
      const response = await socket.next((f) => f.type === 'res');
      expect((response.error as { code: string }).code).toBe('INVALID_REQUEST');
      expect((await socket.closed).code).toBe(1008);
      await g.guard.check();
    });
  }
});

describe('after auth', () => {
  it('answers a 500 KiB frame: the pre-auth limit no longer applies after hello-ok', async () => {
    const g = await start();
    const socket = await openSession(g);
    socket.send(JSON.stringify({ type: 'req', id: 'big', method: 'status' }).padEnd(500 * 1024));
    const outcome = await within(
      OUTCOME_WAIT_MS,
      Promise.race([
        socket.response('big').then((response) => ({ answered: response.ok })),
        socket.closed.then((close) => ({ closed: close.code })),
      ]),
      'answer (or close) after a 500 KiB frame',
    );
    expect(outcome).toEqual({ answered: true });
    socket.ws.close();
    await g.guard.check();
  });

  it('answers a frame just under maxPayload and closes 1009 past it', async () => {
    const g = await start();
    const socket = await openSession(g);
    socket.send(
      JSON.stringify({ type: 'req', id: 'big', method: 'status' }).padEnd(MAX_PAYLOAD, ' '),
    );
    expect((await socket.response('big')).ok).toBe(true);
    socket.send(
      JSON.stringify({ type: 'req', id: 'huge', method: 'status' }).padEnd(MAX_PAYLOAD + 1, ' '),
    );
    expect((await socket.closed).code).toBe(1009);
    await g.guard.check();
  });

  it(`closes ${INVALID_UTF8_CLOSE} on invalid UTF-8`, async () => {
    const g = await start();
    const socket = await openSession(g);
    socket.ws.send(
      Buffer.from('{"type":"req","id":"u","method":"status","params":{"x":"\xff"}}', 'latin1'),
      { binary: false },
    );
    expect((await socket.closed).code).toBe(INVALID_UTF8_CLOSE);
    await g.guard.check();
  });

  for (const [name, frame] of [
    [
      'a config.set value nested 200 000 deep',
      `{"type":"req","id":"x","method":"config.set","params":{"path":"agents.list","value":${nested(200_000)}}}`,
    ],
    [
      'status params nested 200 000 deep',
      `{"type":"req","id":"x","method":"status","params":{"a":${nested(200_000)}}}`,
    ],
    [
      'status params with 10 000 keys',
      `{"type":"req","id":"x","method":"status","params":${manyKeys(10_000)}}`,
    ],
    [
      'a config.set value with 10 000 keys',
      `{"type":"req","id":"x","method":"config.set","params":{"path":"gateway.pairing","value":${manyKeys(10_000)}}}`,
    ],
  ] as const) {
    it(`answers ${name} with a defined error, keeps the session and the config`, async () => {
      const g = await start();
      const socket = await openSession(g);
      socket.send(frame);
      const response = await socket.response('x');
      expect(response.ok).toBe(false);
      expect(['INVALID_REQUEST']).toContain(response.error?.code);
      // Bounded: the error may quote the offending keys, but not grow past twice the request.
      expect(JSON.stringify(response).length).toBeLessThan(2 * frame.length);
      socket.send({ type: 'req', id: 's', method: 'status' });
      expect((await socket.response('s')).ok).toBe(true);
      socket.ws.close();
      await g.guard.check();
    });
  }
});
