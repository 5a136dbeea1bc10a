/**
 * The handshake's connect step (PROTOCOL.md "Handshake"): from a socket's first frame, the
 * `connect` request, to `hello-ok` or a refusal that says what was wrong and closes.
 */
import type { RawData } from 'ws';
import { z } from 'zod';
import type { Logger } from '../util/logger.js';
import type { AuthMode } from '../../shared/config-schema.js';
import { GatewayError, internalError, invalidRequest } from '../../shared/errors.js';
import { CLOSE } from '../../shared/protocol.js';
import { connectParamsSchema, requestFrameSchema } from '../../shared/protocol-schemas.js';
import type { GatewayConnection } from './connection.js';
import { closeReasonFor, describeFrameIssue, frameId, parseJson } from './frames.js';
import { HelloFrameWriter } from './hello.js';
import type { Authenticator } from './handshake.js';
import type { Admission } from './peer.js';
import type { GatewayLimits } from './limits.js';
import type { MethodRouter } from './router.js';

/** What the connect step needs: the authenticator, and what `hello-ok` tells the client. */
export interface ConnectStepDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  logger: Logger;
  version: string;
  /** The method names `hello-ok` lists. */
  router: Pick<MethodRouter, 'names'>;
  authMode: () => AuthMode;
  limits: GatewayLimits;
  /** The gateway's uptime now, for the `hello-ok` snapshot. */
  uptimeMs: () => number;
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
 * Logs an unexpected failure (its stack goes to the log only) and returns the `INTERNAL`
 * error the client is told instead (STYLE.md "Errors").
 */
export function connectFailed(logger: Logger, error: unknown): GatewayError {
  logger.error(
    `connect failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return internalError(CLOSE.internalError);
}

/** Answers a socket's `connect` frame: admits it with `hello-ok`, or refuses and closes. */
export class ConnectStep {
  readonly #deps: ConnectStepDeps;
  readonly #hello = new HelloFrameWriter();

  constructor(deps: ConnectStepDeps) {
    this.#deps = deps;
  }

  /**
   * Handles the frame that arrived while `conn` awaited its connect; settles once it is
   * admitted or refused. `verifyOnEventLoop`: no other socket is between its upgrade and
   * hello-ok (the caller counts them).
   */
  async run(conn: GatewayConnection, data: RawData, verifyOnEventLoop: boolean): Promise<void> {
    // No size check here: the socket's frame limit is still preauthMaxPayload (see
    // ConnectionAcceptor's WebSocketServer).
    if (!conn.beginHandshake()) return;
    const parsed = parseJson(data);
    const id = frameId(parsed);
    const connect = connectFrameSchema.safeParse(parsed);
    if (!connect.success) return this.#refuse(conn, id, parsed);
    try {
      // Alone in its handshake: no other socket is between its upgrade and hello-ok, so
      // nothing waits on the event loop while this one verifies there (handshake.ts).
      const admission = await this.#deps.authenticator.authenticate(
        connect.data.params,
        conn.nonce,
        conn.peer,
        { verifyOnEventLoop },
      );
      if (conn.state !== 'authenticating') return;
      conn.admit(admission);
      conn.respondSerialized(this.#helloFrame(id, conn, admission));
      // A remote device's connect is an info line, for whoever audits who reached the
      // gateway. A local one is debug: local clients reconnect in bursts (a restart, every
      // CLI call) and would flood the log and rotate its warnings away; its last connect is
      // in its paired record (`devices list`), and SPECIAL_AGENT_LOG_LEVEL=debug shows it.
      const level = conn.peer.isLocal ? 'debug' : 'info';
      this.#deps.logger[level](
        `connection ${conn.id} open: device ${admission.device.deviceId.slice(0, 12)} (${admission.device.displayName ?? 'unnamed'}, ${admission.role}, ${admission.authMethod}) from ${conn.peer.clientIp}`,
      );
    } catch (error) {
      const gatewayError =
        error instanceof GatewayError ? error : connectFailed(this.#deps.logger, error);
      conn.respondError(id, gatewayError);
      conn.close(gatewayError.closeCode ?? CLOSE.policy, closeReasonFor(gatewayError));
    }
  }

  /** Answers a first frame that is not a well-formed `connect` with what is wrong, then closes. */
  #refuse(conn: GatewayConnection, id: string, parsed: unknown): void {
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

  /** `hello-ok` from parts serialised once (HelloFrameWriter): most of its bytes never change. */
  #helloFrame(id: string, conn: GatewayConnection, admission: Admission): string {
    return this.#hello.write(id, {
      connId: conn.id,
      admission,
      version: this.#deps.version,
      methods: this.#deps.router.names(),
      uptimeMs: this.#deps.uptimeMs(),
      authMode: this.#deps.authMode(),
      limits: this.#deps.limits,
    });
  }
}
