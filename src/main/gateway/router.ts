import type { z } from 'zod';
import { storageError } from '../fs/storage-errors.js';
import type { Logger } from '../util/logger.js';
import { GatewayError, internalError, invalidRequest } from '../../shared/errors.js';
import type { RequestFrame } from '../../shared/protocol.js';
import { CLOSE } from '../../shared/protocol.js';
import type { KnownScope } from '../../shared/scopes.js';
import { hasScope } from '../../shared/scopes.js';
import type { GatewayConnection } from './connection.js';

/** What a method handler sees besides its params. */
export interface MethodContext {
  conn: GatewayConnection;
  /**
   * A close of `conn` while this request runs waits until its reply is written: for a
   * method that withdraws the caller's own credentials.
   */
  readonly replyBeforeClose: () => void;
}

/** A gateway method: the scope it needs, its params schema and its handler. */
export interface MethodDefinition<Params> {
  scope: KnownScope;
  params: z.ZodType<Params>;
  handler: (params: Params, context: MethodContext) => unknown;
}

/**
 * Routes requests of authenticated connections to registered methods: scope check, params
 * parsed at the edge, errors mapped to the wire (unknown errors become INTERNAL, with the
 * detail going to the log only).
 */
export class MethodRouter {
  readonly #methods = new Map<string, MethodDefinition<unknown>>();
  readonly #logger: Logger;
  readonly #maxForbiddenCalls: number;

  constructor(options: { logger: Logger; maxForbiddenCalls: number }) {
    this.#logger = options.logger;
    this.#maxForbiddenCalls = options.maxForbiddenCalls;
  }

  register<Params>(name: string, definition: MethodDefinition<Params>): void {
    if (this.#methods.has(name)) throw new Error(`method ${name} registered twice`);
    this.#methods.set(name, definition as MethodDefinition<unknown>);
  }

  names(): string[] {
    return ['connect', ...this.#methods.keys()];
  }

  async dispatch(conn: GatewayConnection, frame: RequestFrame): Promise<void> {
    let release: (() => void) | undefined;
    const context: MethodContext = {
      conn,
      replyBeforeClose: () => {
        release ??= conn.holdClose();
      },
    };
    try {
      const payload = await this.#run(frame, context);
      conn.respond(frame.id, payload);
    } catch (error) {
      conn.respondError(frame.id, this.#toGatewayError(error, frame.method));
      if (error instanceof GatewayError && error.details?.code === 'MISSING_SCOPE') {
        if (conn.recordForbiddenCall() >= this.#maxForbiddenCalls) {
          conn.close(CLOSE.policy, 'unauthorized: too many calls without the required scope');
        }
      }
    } finally {
      // The reply is written (or the socket is gone): a close it held goes ahead.
      release?.();
    }
  }

  async #run(frame: RequestFrame, context: MethodContext): Promise<unknown> {
    const { conn } = context;
    if (frame.method === 'connect')
      throw invalidRequest('already connected: connect is only valid as the first request');
    const method = this.#methods.get(frame.method);
    if (!method) throw invalidRequest(`unknown method "${frame.method}"`);
    if (!hasScope(conn.scopes, method.scope)) {
      throw GatewayError.of('MISSING_SCOPE', {
        message: `missing scope: ${frame.method} needs ${method.scope} (approve this device with that scope)`,
        details: { requiredScope: method.scope },
      });
    }
    const parsed = method.params.safeParse(frame.params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at params.${issue.path.join('.')}` : '';
      throw invalidRequest(
        `invalid params for ${frame.method}${where}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return await method.handler(parsed.data, context);
  }

  #toGatewayError(error: unknown, method: string): GatewayError {
    if (error instanceof GatewayError) return error;
    // Errors of the services that know their wire form (e.g. ConfigError → CONFIG_INVALID).
    const convertible = error as { toGatewayError?: unknown } | null;
    if (typeof convertible?.toGatewayError === 'function') {
      const converted: unknown = (convertible.toGatewayError as () => unknown).call(error);
      if (converted instanceof GatewayError) return converted;
    }
    const storage = storageError(error);
    if (storage) {
      this.#logger.error(`${method} failed: ${storage.message}`);
      return storage;
    }
    this.#logger.error(
      `${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return internalError();
  }
}
