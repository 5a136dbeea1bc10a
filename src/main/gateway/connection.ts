import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../util/logger.js';
import type { GatewayError } from '../../shared/errors.js';
import type { EventFrame, ResponseFrame } from '../../shared/protocol.js';
import { CLOSE } from '../../shared/protocol.js';
import type { Admission, PeerContext } from './peer.js';
import type { GatewayLimits } from './limits.js';
import { onPayloadTooLarge, setMaxPayload } from './ws-payload-limit.js';

/** What the connection uses of the TCP socket under its WebSocket. */
type Transport = Pick<Duplex, 'cork' | 'uncork' | 'once' | 'off' | 'writableNeedDrain'>;

/** Where a connection stands in the handshake. */
export type ConnectionState = 'awaiting-connect' | 'authenticating' | 'open' | 'closed';

/**
 * What an admitted connection keeps of its {@link Admission}: enough to scope its calls and
 * to find it when its device or the shared secret changes. Not the device record nor an
 * issued token: every idle connection would carry a copy of them (bench/README.md, heap).
 */
export interface AdmittedIdentity {
  readonly deviceId: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly authMethod: Admission['authMethod'];
}

/**
 * One WebSocket client: its socket, handshake state, identity once admitted, and the
 * event sequence. Sending goes through here so the slow-consumer limit holds everywhere.
 */
export class GatewayConnection {
  readonly id = randomUUID();
  readonly nonce = randomUUID();
  readonly peer: PeerContext;
  #state: ConnectionState = 'awaiting-connect';
  #identity: AdmittedIdentity | undefined;
  #forbiddenCalls = 0;
  readonly #socket: WebSocket;
  readonly #limits: GatewayLimits;
  readonly #logger: Logger;
  #seq = 0;
  /** The TCP socket under the WebSocket, corked while writes are held (see #holdWrites). */
  readonly #transport: Transport | undefined;
  #flushScheduled: NodeJS.Immediate | undefined;
  /** Requests whose reply a close waits for (holdClose), and the close that waits. */
  #closeHolds = 0;
  #heldClose: { code: number; reason: string } | undefined;

  constructor(
    socket: WebSocket,
    peer: PeerContext,
    options: {
      limits: GatewayLimits;
      logger: Logger;
      transport?: Transport;
    },
  ) {
    this.#socket = socket;
    this.#transport = options.transport;
    this.peer = peer;
    this.#limits = options.limits;
    this.#logger = options.logger;
    // The socket starts at the pre-auth limit (GatewayServer); past it before hello-ok the
    // close says why. After hello-ok ws closes 1009 by itself, with an empty reason.
    onPayloadTooLarge(socket, () => {
      if (this.#state !== 'open') this.close(CLOSE.tooLarge, 'preauth payload too large');
    });
  }

  /** Where the handshake stands; only this class moves it on. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Who this is, once admitted. */
  get identity(): AdmittedIdentity | undefined {
    return this.#identity;
  }

  get deviceId(): string | undefined {
    return this.#identity?.deviceId;
  }

  /** The `connect` frame arrived: true when it is the first, so the handshake may start. */
  beginHandshake(): boolean {
    if (this.#state !== 'awaiting-connect') return false;
    this.#state = 'authenticating';
    return true;
  }

  /** Counts one call refused for a missing scope; returns how many so far. */
  recordForbiddenCall(): number {
    this.#forbiddenCalls += 1;
    return this.#forbiddenCalls;
  }

  /** The socket closed, whoever closed it. */
  markClosed(): void {
    this.#state = 'closed';
  }

  /**
   * The handshake succeeded: keep who this is, raise the frame limit from
   * `preauthMaxPayload` to `maxPayload`, and open the connection for requests.
   */
  admit(admission: Admission): void {
    setMaxPayload(this.#socket, this.#limits.maxPayload);
    this.#identity = {
      deviceId: admission.device.deviceId,
      role: admission.role,
      scopes: admission.scopes,
      authMethod: admission.authMethod,
    };
    this.#state = 'open';
  }

  get scopes(): readonly string[] {
    return this.#identity?.scopes ?? [];
  }

  onMessage(listener: (data: RawData, isBinary: boolean) => void): void {
    this.#socket.on('message', listener);
  }

  /** Calls `listener` when the socket closes; the returned function removes it first. */
  onClose(listener: () => void): () => void {
    this.#socket.on('close', listener);
    return () => void this.#socket.off('close', listener);
  }

  sendEvent(event: string, payload?: unknown): void {
    const frame: EventFrame = {
      type: 'event',
      event,
      ...(payload === undefined ? {} : { payload }),
      seq: ++this.#seq,
    };
    this.#send(frame);
  }

  /** The challenge carries no seq: PROTOCOL.md counts events from 1 after it. */
  sendChallenge(ts: number): void {
    this.#send({ type: 'event', event: 'connect.challenge', payload: { nonce: this.nonce, ts } });
  }

  respond(id: string, payload: unknown): void {
    const frame: ResponseFrame = {
      type: 'res',
      id,
      ok: true,
      ...(payload === undefined ? {} : { payload }),
    };
    this.#send(frame);
  }

  /** Sends a response frame already serialised (hello-ok: HelloFrameWriter). */
  respondSerialized(frameJson: string): void {
    this.#sendText(frameJson);
  }

  respondError(id: string, error: GatewayError): void {
    this.#send({ type: 'res', id, ok: false, error: error.toWire() });
  }

  /**
   * Closes with a code and reason (reason trimmed to the 123-byte limit of a close frame).
   * From now on no frame is dispatched and no broadcast reaches it; while a close is held
   * (holdClose), the socket itself closes once the held reply has gone out.
   */
  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#closeHolds > 0) {
      this.#heldClose = { code, reason };
      return;
    }
    this.#closeSocket(code, reason);
  }

  /**
   * Makes a close wait for one reply: a device that rotates, revokes or removes itself gets
   * the answer, then its sockets close 4001 (PROTOCOL.md). The router releases it once the
   * reply is written (MethodContext.replyBeforeClose).
   */
  holdClose(): () => void {
    this.#closeHolds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#closeHolds -= 1;
      const held = this.#heldClose;
      if (this.#closeHolds > 0 || held === undefined) return;
      this.#heldClose = undefined;
      this.#closeSocket(held.code, held.reason);
    };
  }

  #closeSocket(code: number, reason: string): void {
    const trimmed = Buffer.from(reason).subarray(0, 123).toString();
    this.#flush();
    this.#socket.close(code, trimmed);
    // A peer that never answers the close handshake must not hold the socket.
    setTimeout(() => this.#socket.terminate(), this.#limits.closeHandshakeMs).unref();
  }

  /**
   * Undefined while at most `streamQueuedBytes` wait to be sent; else resolves once the
   * client has taken them (the socket drained), the socket closed, or `signal` aborted. A
   * streaming sender (a chat run) waits on it, so a slow client holds the reply upstream
   * instead of in our memory. A client that takes nothing at all for `stalledClientMs` is
   * closed `slow consumer`; one that reads, however slowly, is waited for.
   */
  whenWritable(signal?: AbortSignal): Promise<void> | undefined {
    const transport = this.#transport;
    const { streamQueuedBytes, stalledClientMs } = this.#limits;
    if (transport === undefined || this.#socket.bufferedAmount <= streamQueuedBytes) return;
    // Only once a write was refused is 'drain' sure to come (corked frames count as unsent).
    if (!transport.writableNeedDrain || signal?.aborted) return;
    return new Promise<void>((resolve) => {
      let unsent = this.#socket.bufferedAmount;
      const done = () => {
        clearTimeout(stalled);
        transport.off('drain', done);
        transport.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const check = () => {
        const now = this.#socket.bufferedAmount;
        if (now < unsent) {
          unsent = now;
          stalled = setTimeout(check, stalledClientMs);
          return;
        }
        this.#logger.warn(
          `closing connection ${this.id}: it took nothing for ${stalledClientMs} ms while a reply waited`,
        );
        done();
        this.close(CLOSE.policy, 'slow consumer');
      };
      let stalled = setTimeout(check, stalledClientMs);
      transport.once('drain', done);
      transport.once('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #send(frame: ResponseFrame | EventFrame): void {
    this.#sendText(JSON.stringify(frame));
  }

  #sendText(text: string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    // What the client left unsent before this frame: one frame larger than the limit (the
    // `final` of a long reply) to a client that keeps up is no slow consumer.
    if (this.#socket.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.#logger.warn(
        `closing connection ${this.id}: more than ${this.#limits.maxBufferedBytes} bytes unsent`,
      );
      this.close(CLOSE.policy, 'slow consumer');
      return;
    }
    this.#holdWrites();
    this.#socket.send(text);
  }

  /**
   * Frames sent during one turn of the event loop leave in one write: the TCP socket stays
   * corked until the loop's check phase. Answers to pipelined requests and bursts of events
   * then cost one syscall together instead of one each, the largest per-request cost
   * (bench/README.md, RPC throughput).
   */
  #holdWrites(): void {
    if (this.#transport === undefined || this.#flushScheduled !== undefined) return;
    this.#transport.cork();
    this.#flushScheduled = setImmediate(() => this.#flush());
  }

  /** Writes what #holdWrites held, now (a close must not overtake or drop it). */
  #flush(): void {
    if (this.#flushScheduled === undefined) return;
    clearImmediate(this.#flushScheduled);
    this.#flushScheduled = undefined;
    this.#transport?.uncork();
  }
}
