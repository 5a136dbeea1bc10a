import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import type { GatewayError } from '../../shared/errors.js';

/** Small helpers of the gateway's edge: raw frames in, HTTP refusals and close reasons out. */

export function refuseUpgrade(socket: Duplex, status: number, text: string, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Close reasons begin as PROTOCOL.md's table says; messages already do except for pairing. */
export function closeReasonFor(error: GatewayError): string {
  const code = error.details?.code;
  if (code === 'PAIRING_REQUIRED') return 'pairing required';
  if (code === 'PAIRING_LIMIT_REACHED') return 'pairing request limit reached';
  return error.message;
}

export function parseJson(data: RawData): unknown {
  try {
    // No copy: Buffer.from(buffer) would duplicate every frame just to decode it.
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const text = bytes.toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The request id to answer with, when the frame had a usable one. */
export function frameId(parsed: unknown): string {
  if (parsed && typeof parsed === 'object' && 'id' in parsed) {
    const id = parsed.id;
    if (typeof id === 'string' && id.length <= 128) return id;
  }
  return '';
}

export function describeFrameIssue(
  issues: readonly { path: PropertyKey[]; message: string; code?: string }[],
  parsed: unknown,
): string {
  if (parsed === undefined) return 'not valid JSON';
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
