import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { ClientAddressResolver } from '../auth/client-address.js';
import type { RequestCheck, RequestGates } from '../auth/request-gates.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { AuthMode } from '../../shared/config-schema.js';
import { GatewayError, invalidRequest } from '../../shared/errors.js';
import { CLOSE } from '../../shared/protocol.js';
import { connectParamsSchema, requestFrameSchema } from '../../shared/protocol-schemas.js';
import { UnauthenticatedSockets } from './address-counts.js';
import { GatewayConnection } from './connection.js';
import { EarlyFrames } from './early-frames.js';
import { closeReasonFor, describeFrameIssue, frameId, parseJson, refuseUpgrade } from './frames.js';
import { HelloFrameWriter } from './hello.js';
import { PortInUseError } from './listen-address.js';
import type { Authenticator } from './handshake.js';
import type { Admission, PeerContext } from './peer.js';
import type { GatewayLimits } from './limits.js';
import type { MethodRouter } from './router.js';

export interface GatewayServerOptions {
  limits: GatewayLimits;
  version: string;
  clock: Clock;
  logger: Logger;
  gates: RequestGates;
  addresses: ClientAddressResolver;
  authenticator: Pick<Authenticator, 'authenticate'>;
  router: MethodRouter;
  authMode: () => AuthMode;
  /** Serves the Control UI; returns false when the path is not one of its files. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * With a certificate the port speaks HTTPS and WSS only (PROTOCOL.md "Transport"); the
   * handlers are the same. `/healthz` shows the fingerprint.
   */
  tls?: GatewayServerTls | undefined;
}

/** What the HTTPS server needs, and what `/healthz` shows of it. */
export interface GatewayServerTls {
  cert: string;
  key: string;
  fingerprintSha256: string;
}

/**
 * A well-formed `connect` request, checked in one pass: the request frame with the connect
 * params in place of its generic params record. Parsing the frame and then its params
 * again walked (and copied) the params twice per handshake (bench/README.md, handshake
 * limit). A frame this refuses is parsed the two-step way only to say precisely why.
 */
const connectFrameSchema = requestFrameSchema.extend({
  method: z.literal('connect'),
  params: connectParamsSchema,
});

/**
 * The one HTTP + WebSocket server: Host/Origin gates on every request and upgrade, the
 * challenge/connect handshake, then frames routed to methods (PROTOCOL.md).
 */
export class GatewayServer {
  readonly #options: GatewayServerOptions;
  readonly #http: Server;
  /** The same server as #http when TLS is on: the one whose certificate can be replaced. */
  readonly #https: HttpsServer | undefined;
  /** The certificate served now; `/healthz` shows its fingerprint. */
  #tls: GatewayServerTls | undefined;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<GatewayConnection>();
  /** Sockets without hello-ok, upgraded or not, per client address (address-counts.ts). */
  readonly #unauthenticated: UnauthenticatedSockets;
  /** Upgraded sockets without hello-ok, local ones included (see #onConnectFrame). */
  #handshaking = 0;
  readonly #startedAtMs: number;
  readonly #hello = new HelloFrameWriter();
  #tickTimer: NodeJS.Timeout | undefined;
  #port = 0;
  #stopping = false;

  constructor(options: GatewayServerOptions) {
    this.#options = options;
    this.#startedAtMs = options.clock.now();
    const { limits } = options;
    this.#unauthenticated = new UnauthenticatedSockets(limits.maxUnauthenticatedPerAddress);
    const httpOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Node enforces both timeouts only on this sweep (default every 30 s), so without it a slowloris outlives headersTimeout.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4,
      ),
    };
    const { tls } = options;
    this.#tls = tls;
    this.#https = tls
      ? createHttpsServer({
          ...httpOptions,
          cert: tls.cert,
          key: tls.key,
          // The TLS handshake comes before the headers, so it gets no longer than they do
          // (node's default is 120 s): a socket that never finishes it is one more slowloris.
          handshakeTimeout: limits.headersTimeoutMs,
        })
      : undefined;
    this.#http = this.#https ?? createServer(httpOptions);
    this.#wss = new WebSocketServer({
      noServer: true,
      // Raised to maxPayload at hello-ok (GatewayConnection.admit): until then a frame
      // header announcing more closes 1009 before its payload is buffered.
      maxPayload: Math.min(limits.preauthMaxPayload, limits.maxPayload),
      perMessageDeflate: false,
      clientTracking: false,
    });
    // Counted from the accept (PROTOCOL.md: unauthenticated sockets, upgraded or not); a
    // TLS socket once its handshake is done, as the object the upgrade will see.
    this.#http.on(tls ? 'secureConnection' : 'connection', (socket: Socket) =>
      this.#onSocket(socket),
    );
    this.#http.on('request', (req, res) => this.#onRequest(req, res));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
    this.#http.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  get port(): number {
    return this.#port;
  }

  /**
   * Serves `tls` from the next TLS handshake on, without a restart (a renewed or reloaded
   * certificate); open connections keep the one they were made with. Throws when TLS is
   * off, or when OpenSSL refuses the pair (the served one then stays).
   */
  replaceCertificate(tls: GatewayServerTls): void {
    if (this.#https === undefined) throw new Error('the gateway serves plain HTTP: no certificate');
    this.#https.setSecureContext({ cert: tls.cert, key: tls.key });
    this.#tls = tls;
  }

  get uptimeMs(): number {
    return this.#options.clock.now() - this.#startedAtMs;
  }

  /** Authenticated connections. */
  openConnections(): GatewayConnection[] {
    return [...this.#connections].filter((conn) => conn.state === 'open');
  }

  /** How many connections are authenticated, without building a list (`status`). */
  openConnectionCount(): number {
    let count = 0;
    for (const conn of this.#connections) if (conn.state === 'open') count += 1;
    return count;
  }

  /** Listens on `host:port`; never falls back to another port or address. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.#http.off('listening', onListening);
        reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
      };
      const onListening = () => {
        this.#http.off('error', onError);
        this.#port = (this.#http.address() as AddressInfo).port;
        this.#tickTimer = setInterval(() => this.#tick(), this.#options.limits.tickIntervalMs);
        this.#tickTimer.unref();
        resolve(this.#port);
      };
      this.#http.once('error', onError);
      this.#http.once('listening', onListening);
      this.#http.listen({ host, port, exclusive: true });
    });
  }

  /** Sends an event to every authenticated connection that `filter` accepts. */
  broadcast(
    event: string,
    payload: unknown,
    filter: (conn: GatewayConnection) => boolean = () => true,
  ): void {
    for (const conn of this.openConnections()) if (filter(conn)) conn.sendEvent(event, payload);
  }

  /** Closes every authenticated connection that `predicate` selects. */
  closeWhere(
    predicate: (conn: GatewayConnection) => boolean,
    code: number,
    reason: string,
  ): number {
    let closed = 0;
    for (const conn of this.openConnections()) {
      if (predicate(conn)) {
        conn.close(code, reason);
        closed += 1;
      }
    }
    return closed;
  }

  /** Graceful stop: a `shutdown` event, close 1012, then the listener closes. */
  async stop(reason = 'gateway stopping', restartExpectedMs?: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    this.broadcast('shutdown', {
      reason,
      ...(restartExpectedMs === undefined ? {} : { restartExpectedMs }),
    });
    for (const conn of this.#connections) conn.close(CLOSE.serviceRestart, 'service restart');
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const gate = this.#gate(req);
    if (!gate.ok) {
      res
        .writeHead(gate.status, {
          'Content-Type': 'text/plain; charset=utf-8',
          Connection: 'close',
        })
        .end(`${gate.reason}\n`);
      return;
    }
    const tls = this.#tls;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({
        ok: true,
        service: 'special-agent-gateway',
        version: this.#options.version,
        port: this.#port,
        // The fingerprint is public: every client that connects sees the certificate.
        tls: tls ? { enabled: true, fingerprintSha256: tls.fingerprintSha256 } : { enabled: false },
      });
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (this.#options.httpHandler?.(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  /**
   * Host, request target, then Origin (DESIGN.md, PROTOCOL.md "Transport"). An allowed
   * absolute-form target is rewritten to its path, so everything after sees origin-form.
   */
  #gate(req: IncomingMessage): RequestCheck {
    const gate = this.#options.gates.checkRequest(req);
    if (gate.ok) req.url = gate.target;
    return gate;
  }

  #onSocket(socket: Socket): void {
    const peer = this.#options.addresses.resolve({
      peerAddress: socket.remoteAddress,
      headers: {},
    });
    // A trusted proxy's socket carries other clients: counted at its upgrade instead.
    if (!peer.viaProxy) this.#unauthenticated.accept(socket, peer.clientIp);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    // The peer only, never the target: a URL may carry anything. Debug level, so a client
    // refused before its upgrade (a TLS pin mismatch) can be told apart from one refused after.
    this.#options.logger.debug(`upgrade request from ${req.socket.remoteAddress ?? 'unknown'}`);
    const gate = this.#gate(req);
    if (!gate.ok)
      return refuseUpgrade(socket, gate.status, STATUS_CODES[gate.status] ?? '', gate.reason);
    if (this.#stopping)
      return refuseUpgrade(socket, 503, 'Service Unavailable', 'gateway stopping');
    if (this.#connections.size >= this.#options.limits.maxConnections) {
      return refuseUpgrade(socket, 503, 'Service Unavailable', 'too many connections');
    }
    const client = this.#options.addresses.resolve({
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
        this.#internal(error);
      }
    });
    socket.uncork();
  }

  /** `release` uncounts the socket from the unauthenticated ones: at hello-ok or close. */
  #accept(ws: WebSocket, peer: PeerContext, transport: Duplex, release: () => void): void {
    const { limits, clock, logger } = this.#options;
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
        return void this.#onConnectFrame(conn, data).finally(() => {
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

  async #onConnectFrame(conn: GatewayConnection, data: RawData): Promise<void> {
    // No size check here: the socket's frame limit is still preauthMaxPayload (see #wss).
    if (!conn.beginHandshake()) return;
    const parsed = parseJson(data);
    const id = frameId(parsed);
    const connect = connectFrameSchema.safeParse(parsed);
    if (!connect.success) return this.#refuseConnectFrame(conn, id, parsed);
    try {
      // Alone in its handshake: no other socket is between its upgrade and hello-ok, so
      // nothing waits on the event loop while this one verifies there (handshake.ts).
      const admission = await this.#options.authenticator.authenticate(
        connect.data.params,
        conn.nonce,
        conn.peer,
        { verifyOnEventLoop: this.#handshaking === 1 },
      );
      if (conn.state !== 'authenticating') return;
      conn.admit(admission);
      conn.respondSerialized(this.#helloFrame(id, conn, admission));
      // A remote device's connect is an info line, for whoever audits who reached the
      // gateway. A local one is debug: local clients reconnect in bursts (a restart, every
      // CLI call) and would flood the log and rotate its warnings away; its last connect is
      // in its paired record (`devices list`), and SPECIAL_AGENT_LOG_LEVEL=debug shows it.
      const level = conn.peer.isLocal ? 'debug' : 'info';
      this.#options.logger[level](
        `connection ${conn.id} open: device ${admission.device.deviceId.slice(0, 12)} (${admission.device.displayName ?? 'unnamed'}, ${admission.role}, ${admission.authMethod}) from ${conn.peer.clientIp}`,
      );
    } catch (error) {
      const gatewayError = error instanceof GatewayError ? error : this.#internal(error);
      conn.respondError(id, gatewayError);
      conn.close(gatewayError.closeCode ?? CLOSE.policy, closeReasonFor(gatewayError));
    }
  }

  /** Answers a first frame that is not a well-formed `connect` with what is wrong, then closes. */
  #refuseConnectFrame(conn: GatewayConnection, id: string, parsed: unknown): void {
    const frame = requestFrameSchema.safeParse(parsed);
    if (!frame.success || frame.data.method !== 'connect') {
      const error = frame.success
        ? invalidRequest('invalid handshake: the first request must be connect')
        : invalidRequest(
            `invalid request frame: ${describeFrameIssue(frame.error.issues, parsed)}`,
          );
      conn.respondError(id, error);
      return conn.close(CLOSE.policy, 'invalid handshake');
    }
    // Absent params are checked as `{}`, and described as such: not as "not valid JSON".
    const given = frame.data.params ?? {};
    const params = connectParamsSchema.safeParse(given);
    const issues = params.success ? [] : params.error.issues;
    conn.respondError(
      id,
      invalidRequest(`invalid connect params: ${describeFrameIssue(issues, given)}`),
    );
    conn.close(CLOSE.policy, 'invalid connect params');
  }

  #onFrame(conn: GatewayConnection, data: RawData): void {
    const parsed = parseJson(data);
    const frame = requestFrameSchema.safeParse(parsed);
    if (!frame.success) {
      return conn.respondError(
        frameId(parsed),
        invalidRequest(`invalid request frame: ${describeFrameIssue(frame.error.issues, parsed)}`),
      );
    }
    void this.#options.router.dispatch(conn, frame.data);
  }

  #helloFrame(id: string, conn: GatewayConnection, admission: Admission): string {
    return this.#hello.write(id, {
      connId: conn.id,
      admission,
      version: this.#options.version,
      methods: this.#options.router.names(),
      uptimeMs: this.uptimeMs,
      authMode: this.#options.authMode(),
      limits: this.#options.limits,
    });
  }

  #internal(error: unknown): GatewayError {
    this.#options.logger.error(
      `connect failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return new GatewayError('INTERNAL', 'internal error (see the gateway log)', {
      closeCode: CLOSE.internalError,
    });
  }

  #tick(): void {
    this.broadcast('tick', { ts: this.#options.clock.now() });
  }
}
