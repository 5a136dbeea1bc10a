/**
 * From an accepted socket to a live connection: the per-address count of unauthenticated
 * sockets (address-counts.ts), the upgrade through `WebSocketServer({ noServer: true })`,
 * the challenge, then each socket's handshake (its timeout, the frames sent early, the
 * connect step) and, once admitted, its frames routed to methods (PROTOCOL.md).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ClientAddressResolver } from '../auth/client-address.js';
import type { RequestCheck } from '../auth/request-gates.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { invalidRequest } from '../../shared/errors.js';
import { CLOSE } from '../../shared/protocol.js';
import { requestFrameSchema } from '../../shared/protocol-schemas.js';
import { UnauthenticatedSockets } from './address-counts.js';
import { connectFailed, type ConnectStep } from './connect-step.js';
import { GatewayConnection } from './connection.js';
import { EarlyFrames } from './early-frames.js';
import { describeFrameIssue, frameId, parseJson, refuseUpgrade } from './frames.js';
import type { PeerContext } from './peer.js';
import type { GatewayLimits } from './limits.js';
import type { MethodRouter } from './router.js';

/** What the acceptor needs: the limits, who a socket's client is, and where frames go. */
export interface ConnectionAcceptorDeps {
  limits: GatewayLimits;
  clock: Clock;
  logger: Logger;
  addresses: ClientAddressResolver;
  connectStep: ConnectStep;
  router: Pick<MethodRouter, 'dispatch'>;
}

/** An upgrade request that passed the Host/Origin gates (RequestGates.checkRequest). */
type GatedUpgrade = Extract<RequestCheck, { ok: true }>;

/** Accepts the gateway's WebSockets and carries each one through its handshake. */
export class ConnectionAcceptor {
  readonly #deps: ConnectionAcceptorDeps;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<GatewayConnection>();
  /** Sockets without hello-ok, upgraded or not, per client address (address-counts.ts). */
  readonly #unauthenticated: UnauthenticatedSockets;
  /** Upgraded sockets without hello-ok, local ones included (see ConnectStep.run). */
  #handshaking = 0;

  constructor(deps: ConnectionAcceptorDeps) {
    this.#deps = deps;
    const { limits } = deps;
    this.#unauthenticated = new UnauthenticatedSockets(limits.maxUnauthenticatedPerAddress);
    this.#wss = new WebSocketServer({
      noServer: true,
      // Raised to maxPayload at hello-ok (GatewayConnection.admit): until then a frame
      // header announcing more closes 1009 before its payload is buffered.
      maxPayload: Math.min(limits.preauthMaxPayload, limits.maxPayload),
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  /** Every accepted connection, authenticated or not, until its socket closes. */
  get connections(): ReadonlySet<GatewayConnection> {
    return this.#connections;
  }

  /** A socket the HTTP server accepted: counted from now (PROTOCOL.md "Transport"). */
  onSocket(socket: Socket): void {
    const peer = this.#deps.addresses.resolve({
      peerAddress: socket.remoteAddress,
      headers: {},
    });
    // A trusted proxy's socket carries other clients: counted at its upgrade instead.
    if (!peer.viaProxy) this.#unauthenticated.accept(socket, peer.clientIp);
  }

  /** Upgrades a gated request, or answers HTTP 503 past a connection limit. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, gate: GatedUpgrade): void {
    const { limits, addresses } = this.#deps;
    if (this.#connections.size >= limits.maxConnections) {
      return refuseUpgrade(socket, 503, 'Service Unavailable', 'too many connections');
    }
    const client = addresses.resolve({
      peerAddress: req.socket.remoteAddress,
      headers: req.headers,
    });
    const release = this.#unauthenticated.admitUpgrade(socket, client.clientIp);
    if (release === undefined) {
      return refuseUpgrade(
        socket,
        503,
        'Service Unavailable',
        'too many unauthenticated connections from this address',
      );
    }
    const peer: PeerContext = {
      clientIp: client.clientIp,
      isLocal: client.isLocal,
      browser: gate.browser,
      ownOrigin: gate.ownOrigin,
      origin: req.headers.origin,
    };
    // handleUpgrade writes the 101 and calls #accept synchronously: corked, the 101 and the
    // challenge leave in one write, one syscall fewer per handshake (bench/README.md).
    socket.cork();
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        this.#accept(ws, peer, socket, release);
      } catch (error) {
        // Only when ws internals moved (ws-payload-limit.ts): refuse the socket, not crash.
        release();
        ws.terminate();
        connectFailed(this.#deps.logger, error);
      }
    });
    socket.uncork();
  }

  /** `release` uncounts the socket from the unauthenticated ones: at hello-ok or close. */
  #accept(ws: WebSocket, peer: PeerContext, transport: Duplex, release: () => void): void {
    const { limits, clock, logger } = this.#deps;
    const conn = new GatewayConnection(ws, peer, { limits, logger, transport });
    this.#connections.add(conn);
    // Dropped once cleared: an idle connection should not keep a spent timer alive.
    let handshakeTimer: NodeJS.Timeout | undefined = setTimeout(() => {
      if (conn.state !== 'open') conn.close(CLOSE.policy, 'handshake timeout');
    }, limits.handshakeTimeoutMs);
    handshakeTimer.unref();
    this.#handshaking += 1;
    // At hello-ok or close, whichever comes first: the timer, the per-address count and
    // #handshaking let go of this socket once.
    let handshakeOver = false;
    const endHandshake = () => {
      if (handshakeOver) return;
      handshakeOver = true;
      clearTimeout(handshakeTimer);
      handshakeTimer = undefined;
      release();
      this.#handshaking -= 1;
    };
    conn.onClose(() => {
      endHandshake();
      conn.markClosed();
      this.#connections.delete(conn);
    });
    ws.on('error', (error) => logger.debug(`socket error on ${conn.id}: ${error.message}`));
    const early = new EarlyFrames(limits.preauthMaxPayload);
    conn.onMessage((data, isBinary) => {
      if (isBinary) return conn.close(CLOSE.binaryFrame, 'binary frames not supported');
      if (conn.state === 'open') return this.#onFrame(conn, data);
      if (conn.state === 'awaiting-connect') {
        // Alone when it is the only socket between its upgrade and hello-ok: it may verify
        // on the event loop (ConnectStep.run).
        return void this.#deps.connectStep.run(conn, data, this.#handshaking === 1).finally(() => {
          const held = early.take();
          if (conn.state !== 'open') return;
          endHandshake();
          for (const frame of held) this.#onFrame(conn, frame);
        });
      }
      if (conn.state === 'authenticating' && !early.hold(data))
        conn.close(CLOSE.policy, 'invalid handshake: too much sent before the connect response');
    });
    conn.sendChallenge(clock.now());
  }

  /** A frame of an admitted connection: parsed at the edge, then dispatched to its method. */
  #onFrame(conn: GatewayConnection, data: RawData): void {
    const parsed = parseJson(data);
    const frame = requestFrameSchema.safeParse(parsed);
    if (!frame.success) {
      return conn.respondError(
        frameId(parsed),
        invalidRequest(`invalid request frame: ${describeFrameIssue(frame.error.issues, parsed)}`),
      );
    }
    void this.#deps.router.dispatch(conn, frame.data);
  }
}
