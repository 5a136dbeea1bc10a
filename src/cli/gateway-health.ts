/**
 * `GET /healthz` of a gateway, over HTTPS pinned to its certificate when it speaks TLS:
 * `gateway status` asks it first, to tell "nothing there" from "something else there".
 */
import { request as httpRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pinnedTlsConnect, TlsPinMismatchError } from '../main/local/tls.js';
import { unbracket } from './tls-pin.js';

/** Named limits of one `/healthz` probe. */
export const HEALTH_LIMITS = {
  /** The whole probe: connect, TLS, response. */
  timeoutMs: 3000,
  /** A health body is ~150 bytes; anything much longer is not our gateway. */
  maxBodyBytes: 64 * 1024,
} as const;

const HEALTHZ_SERVICE = 'special-agent-gateway';

/** What answered at the origin. */
export type Health =
  | { kind: 'up' }
  | { kind: 'down' }
  | { kind: 'refused'; httpStatus: number }
  | { kind: 'foreign' }
  /** An `https:` origin answered in plain HTTP. */
  | { kind: 'not-tls' }
  /** An `http:` origin's connection was dropped unanswered, as a TLS server does. */
  | { kind: 'dropped' }
  | { kind: 'pin-mismatch'; error: TlsPinMismatchError };

/**
 * Probes `<origin>/healthz`; an `https:` origin needs `fingerprint`, and the request is
 * refused before it is sent when the certificate is another one.
 */
export async function fetchHealth(
  origin: string,
  options: { fingerprint?: string | undefined; timeoutMs?: number } = {},
): Promise<Health> {
  const url = new URL('/healthz', origin);
  const secure = url.protocol === 'https:';
  const args: ClientRequestArgs = {
    host: unbracket(url.hostname),
    port: url.port,
    path: url.pathname,
    method: 'GET',
    signal: AbortSignal.timeout(options.timeoutMs ?? HEALTH_LIMITS.timeoutMs),
    ...(secure && options.fingerprint !== undefined
      ? {
          createConnection: pinnedTlsConnect(
            options.fingerprint,
          ) as ClientRequestArgs['createConnection'],
        }
      : {}),
  };
  let response: { status: number; body: string };
  try {
    response = await get(args, secure);
  } catch (error) {
    if (error instanceof TlsPinMismatchError) return { kind: 'pin-mismatch', error };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPROTO') return { kind: 'not-tls' };
    if (code === 'ECONNRESET' && !secure) return { kind: 'dropped' };
    return { kind: 'down' };
  }
  if (response.status === 403) return { kind: 'refused', httpStatus: 403 };
  let body: { service?: unknown } | undefined;
  try {
    body = JSON.parse(response.body) as { service?: unknown };
  } catch {
    body = undefined;
  }
  return response.status === 200 && body?.service === HEALTHZ_SERVICE
    ? { kind: 'up' }
    : { kind: 'foreign' };
}

function get(args: ClientRequestArgs, secure: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > HEALTH_LIMITS.maxBodyBytes) response.destroy();
      });
      response.on('error', reject);
      response.on('close', () => resolve({ status: response.statusCode ?? 0, body }));
    };
    const request = secure ? httpsRequest(args, onResponse) : httpRequest(args, onResponse);
    request.on('error', reject);
    request.end();
  });
}
