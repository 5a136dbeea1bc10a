/**
 * The load generator's clients. Gateway and raw baseline go through the same lean code
 * (one `ws` socket, one message listener), so the difference between their figures is
 * the server's. The gateway handshake uses the product's own signing code
 * (dist/shared/gateway-client.js `signConnect`) with a node:crypto Ed25519 key.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import WebSocket from 'ws';
import { signConnect } from '../../dist/shared/gateway-client.js';

/** Every socket operation of the bench gives up after this long. */
export const CLIENT_TIMEOUT_MS = 15_000;

/** How the bench's devices introduce themselves. */
export const BENCH_CLIENT = {
  id: 'special-agent-bench',
  version: '0.0.0',
  platform: 'linux',
  mode: 'test',
};
/** Least privilege: `status` needs read only. */
export const BENCH_SCOPES = ['operator.read'];

/** A device identity (PROTOCOL.md step 3) backed by a node:crypto key pair. */
export function newDevice() {
  return deviceOf(generateKeyPairSync('ed25519').privateKey);
}

/**
 * The identity of an existing private key (a KeyObject, which worker threads can be
 * handed); `privateKey` is kept on it for that.
 */
export function deviceOf(privateKey) {
  const raw = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  return {
    deviceId: createHash('sha256').update(Buffer.from(raw, 'base64url')).digest('hex'),
    publicKey: raw,
    privateKey,
    sign: (payload) =>
      Promise.resolve(sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url')),
  };
}

/**
 * Opens a socket; resolves once open. `onMessage`, when given, is attached before the
 * socket opens: a server may send its first frame in the same packet as the 101.
 * `localAddress` (e.g. `127.0.0.7`) is the loopback address to connect from.
 */
export function openSocket(url, onMessage, localAddress) {
  return new Promise((resolve, reject) => {
    // skipUTF8Validation: the load generator shares the two cores with the server under
    // test, so it does the least work it can (the servers validate, as they must).
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: CLIENT_TIMEOUT_MS,
      skipUTF8Validation: true,
      ...(localAddress ? { localAddress } : {}),
    });
    if (onMessage) ws.on('message', onMessage);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Closes from the client side and resolves when the close handshake is done. */
export function closeSocket(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close(1000);
  });
}

/** Frames received during the handshake, handed out in order by `next()`. */
class Inbox {
  #frames = [];
  #waiter;
  #closed;

  push = (data) => {
    this.#frames.push(JSON.parse(data.toString('utf8')));
    this.#wake();
  };

  fail(error) {
    this.#closed = error;
    this.#wake();
  }

  async next() {
    const deadline = Date.now() + CLIENT_TIMEOUT_MS;
    while (this.#frames.length === 0) {
      if (this.#closed) throw this.#closed;
      if (Date.now() > deadline) throw new Error('no frame from the server in time');
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, CLIENT_TIMEOUT_MS);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#frames.shift();
  }

  #wake() {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}

/**
 * The full authenticated handshake: open, `connect.challenge`, signed `connect`, `hello-ok`.
 * Resolves with the open socket and the hello payload; rejects with the gateway's error.
 * `client` is what the device says it is (bench/peer passes one the peer's schema accepts).
 */
export async function openAuthenticated(
  url,
  device,
  auth,
  scopes = BENCH_SCOPES,
  client = BENCH_CLIENT,
  localAddress = undefined,
) {
  const inbox = new Inbox();
  const ws = await openSocket(url, inbox.push, localAddress);
  ws.once('close', (code, reason) => inbox.fail(new Error(`closed ${code} ${reason.toString()}`)));
  try {
    const challenge = await inbox.next();
    if (challenge.event !== 'connect.challenge')
      throw new Error(`expected connect.challenge, got ${JSON.stringify(challenge)}`);
    const params = await signConnect({
      identity: device,
      nonce: challenge.payload.nonce,
      client,
      scopes,
      auth,
      signedAtMs: Date.now(),
    });
    ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params }));
    const res = await inbox.next();
    if (!res.ok)
      throw new Error(
        `connect refused: ${res.error?.code} ${res.error?.details?.code ?? ''} ${res.error?.message}`,
      );
    ws.off('message', inbox.push);
    return { ws, hello: res.payload };
  } catch (error) {
    ws.terminate();
    throw error;
  }
}

/** One authenticated handshake, then a client close (what the handshake rate counts). */
export async function gatewayHandshake(url, device, auth, client = BENCH_CLIENT, localAddress) {
  const { ws } = await openAuthenticated(url, device, auth, BENCH_SCOPES, client, localAddress);
  await closeSocket(ws);
}

/** The baseline operation: a raw WebSocket open, then a client close. */
export async function rawOpenClose(url) {
  await closeSocket(await openSocket(url));
}

const ID_FIELD = '"id":"';

/**
 * A request/response channel on an open socket: frames carry `id`, answers are matched by
 * it. Works for the gateway (`res` frames) and the echo server (the request comes back).
 */
export class RpcChannel {
  #ws;
  #waiters = new Map();
  #nextId = 1;

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      // Only the id is read: a full JSON.parse per answer made the load generator, not the
      // server, the bottleneck of the throughput run (both servers get the same treatment).
      const text = data.toString('utf8');
      const start = text.indexOf(ID_FIELD) + ID_FIELD.length;
      const id = text.slice(start, text.indexOf('"', start));
      const waiter = this.#waiters.get(id);
      if (!waiter) return;
      this.#waiters.delete(id);
      if (text.includes('"ok":false')) {
        const { error } = JSON.parse(text);
        waiter.reject(new Error(`${error.code}: ${error.message}`));
      } else waiter.resolve(text);
    });
    ws.once('close', () => {
      for (const waiter of this.#waiters.values()) waiter.reject(new Error('socket closed'));
      this.#waiters.clear();
    });
  }

  /** Sends `{type:'req', id, method}` and resolves with the text of the matching frame. */
  call(method) {
    const id = String(this.#nextId++);
    return new Promise((resolve, reject) => {
      this.#waiters.set(id, { resolve, reject });
      this.#ws.send(`{"type":"req","id":"${id}","method":"${method}"}`);
    });
  }
}
