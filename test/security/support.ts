/**
 * Shared tools of the adversarial suite: raw HTTP and upgrade requests (exact bytes, no
 * client-side normalisation), hand-signed `connect` frames, and the lists of codes a
 * gateway answer may carry (PROTOCOL.md).
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { afterEach } from 'vitest';
import { signConnect } from '../../src/shared/gateway-client.js';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import type { ConnectAuth } from '../../src/shared/gateway-client.js';
import { PROTOCOL_ERROR_CODES } from '../../src/shared/errors.js';
import { newIdentity, TEST_CLIENT, type RawSocket } from '../helpers/gateway.js';
import {
  startGuardedGateway,
  type GuardedGateway,
  type GuardedGatewayOptions,
} from './guarded-gateway.js';

/** `error.code` values of PROTOCOL.md. */
export const ERROR_CODES: readonly string[] = PROTOCOL_ERROR_CODES;
/** Close codes of PROTOCOL.md's table (1009 may come from the WebSocket layer). */
export const CLOSE_CODES = [1002, 1003, 1008, 1009, 1012, 4001] as const;

/**
 * One guarded gateway per case, stopped after it (which also fails a case that never ran
 * `guard.check()`). Call once per test file.
 */
export function guardedGateways(): (options?: GuardedGatewayOptions) => Promise<GuardedGateway> {
  let current: GuardedGateway | undefined;
  afterEach(async () => {
    const stopping = current;
    current = undefined;
    await stopping?.stop();
  });
  return async (options) => {
    current = await startGuardedGateway(options);
    return current;
  };
}

export interface RawHttpResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends `head` (request line + headers, without the final blank line) over a bare TCP
 * socket and reads the status line and headers; for a non-upgrade reads the body too.
 */
export function rawHttp(
  port: number,
  head: string,
  options: { localAddress?: string } = {},
): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({
      host: '127.0.0.1',
      port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    let data = Buffer.alloc(0);
    const finish = () => {
      const text = data.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const headText = split === -1 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
      resolve({ status, head: headText, body: split === -1 ? '' : text.slice(split + 4) });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      // A 101 keeps the socket open: the headers are all we need.
      if (/^HTTP\/1\.1 101 /.test(data.toString('latin1')) && data.includes('\r\n\r\n')) {
        socket.destroy();
        finish();
      }
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', reject);
    socket.write(`${head}\r\n\r\n`, 'latin1');
  });
}

/** A WebSocket upgrade with exactly these Host and Origin header values (undefined = absent). */
export function rawUpgrade(
  port: number,
  host: string | undefined,
  origin?: string,
): Promise<RawHttpResponse> {
  const lines = [
    'GET / HTTP/1.1',
    ...(host === undefined ? [] : [`Host: ${host}`]),
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  return rawHttp(port, lines.join('\r\n'));
}

/** A plain GET with exactly these Host and Origin header values. */
export function rawGet(
  port: number,
  path: string,
  host: string | undefined,
  origin?: string,
): Promise<RawHttpResponse> {
  const lines = [
    `GET ${path} HTTP/1.1`,
    ...(host === undefined ? [] : [`Host: ${host}`]),
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    'Connection: close',
  ];
  return rawHttp(port, lines.join('\r\n'));
}

export interface SignOptions {
  identity?: DeviceIdentity;
  auth?: ConnectAuth;
  scopes?: readonly string[];
  signedAtMs: number;
}

/** Signed connect params for the challenge `nonce`, as a plain object a test may tamper with. */
export async function signedParams(
  nonce: string,
  options: SignOptions,
): Promise<Record<string, unknown>> {
  const params = await signConnect({
    identity: options.identity ?? (await newIdentity()),
    nonce,
    client: TEST_CLIENT,
    signedAtMs: options.signedAtMs,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  return structuredClone(params);
}

/** A raw socket that completed the handshake as the pre-paired device (admin scopes). */
export async function openSession(g: GuardedGateway): Promise<RawSocket> {
  const socket = g.guard.raw();
  const nonce = await socket.challengeNonce();
  const { identity, deviceToken } = g.guard.prePaired;
  const params = await signedParams(nonce, {
    identity,
    auth: { deviceToken },
    signedAtMs: g.clock.now(),
  });
  socket.send({ type: 'req', id: 'hello', method: 'connect', params });
  const hello = await socket.response('hello');
  if (!hello.ok)
    throw new Error(`the pre-paired device was refused: ${JSON.stringify(hello.error)}`);
  return socket;
}
