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
import type { ClientAddressResolver } from '../auth/client-address.js';
import type { RequestCheck, RequestGates } from '../auth/request-gates.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { AuthMode } from '../../shared/config-schema.js';
import { CLOSE } from '../../shared/protocol.js';
import { ConnectionAcceptor } from './connection-acceptor.js';
import { ConnectStep } from './connect-step.js';
import type { GatewayConnection } from './connection.js';
import { refuseUpgrade } from './frames.js';
import { listenError } from './listen-address.js';
import type { Authenticator } from './handshake.js';
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
 * The one HTTP + WebSocket server: Host/Origin gates on every request and upgrade, the
 * challenge/connect handshake, then frames routed to methods (PROTOCOL.md). What happens
 * to an upgraded socket is connection-acceptor.ts; its `connect` frame, connect-step.ts.
 */
export class GatewayServer {
  readonly #options: GatewayServerOptions;
  readonly #http: Server;
  readonly #acceptor: ConnectionAcceptor;
  /** The same server as #http when TLS is on: the one whose certificate can be replaced. */
  readonly #https: HttpsServer | undefined;
  /** The certificate served now; `/healthz` shows its fingerprint. */
  #tls: GatewayServerTls | undefined;
  readonly #startedAtMs: number;
  #tickTimer: NodeJS.Timeout | undefined;
  #port = 0;
  #stopping = false;

  constructor(options: GatewayServerOptions) {
    this.#options = options;
    this.#startedAtMs = options.clock.now();
    const { limits } = options;
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
    const { authenticator, logger, version, router, authMode, clock, addresses } = options;
    const connectStep = new ConnectStep({
      authenticator,
      logger,
      version,
      router,
      authMode,
      limits,
      uptimeMs: () => this.uptimeMs,
    });
    this.#acceptor = new ConnectionAcceptor({
      limits,
      clock,
      logger,
      addresses,
      connectStep,
      router,
    });
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
    // Counted from the accept (PROTOCOL.md: unauthenticated sockets, upgraded or not); a
    // TLS socket once its handshake is done, as the object the upgrade will see.
    this.#http.on(tls ? 'secureConnection' : 'connection', (socket: Socket) =>
      this.#acceptor.onSocket(socket),
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
    return [...this.#acceptor.connections].filter((conn) => conn.state === 'open');
  }

  /** How many connections are authenticated, without building a list (`status`). */
  openConnectionCount(): number {
    let count = 0;
    for (const conn of this.#acceptor.connections) if (conn.state === 'open') count += 1;
    return count;
  }

  /** Listens on `host:port`; never falls back to another port or address. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.#http.off('listening', onListening);
        reject(listenError(error, host, port));
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
    for (const conn of this.#acceptor.connections)
      conn.close(CLOSE.serviceRestart, 'service restart');
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
    this.#acceptor.upgrade(req, socket, head, gate);
  }

  #tick(): void {
    this.broadcast('tick', { ts: this.#options.clock.now() });
  }
}
