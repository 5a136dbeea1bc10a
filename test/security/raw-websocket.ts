/**
 * A WebSocket client written by hand over a bare TCP socket, for frames no library would
 * send: a header announcing a payload that never follows, say. It reads the server's
 * frames (unmasked, RFC 6455 §5.2) and writes whatever bytes the test gives it.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';

/** One frame from the server. */
export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** The header of a masked client text frame announcing `length` payload bytes. */
export function maskedTextHeader(length: number): Buffer {
  const mask = randomBytes(4);
  if (length < 126) return Buffer.concat([Buffer.from([0x81, 0x80 | length]), mask]);
  if (length < 0x10000) {
    const head = Buffer.from([0x81, 0x80 | 126, 0, 0]);
    head.writeUInt16BE(length, 2);
    return Buffer.concat([head, mask]);
  }
  const head = Buffer.alloc(10);
  head[0] = 0x81;
  head[1] = 0x80 | 127;
  head.writeBigUInt64BE(BigInt(length), 2);
  return Buffer.concat([head, mask]);
}

/** Splits complete server frames off the front of `data`; returns them and the rest. */
function splitFrames(data: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let offset = 0;
  for (;;) {
    if (data.length - offset < 2) break;
    const opcode = (data[offset] ?? 0) & 0x0f;
    let length = (data[offset + 1] ?? 0) & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      if (data.length < start + 2) break;
      length = data.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (data.length < start + 8) break;
      length = Number(data.readBigUInt64BE(start));
      start += 8;
    }
    if (data.length < start + length) break;
    frames.push({ opcode, payload: data.subarray(start, start + length) });
    offset = start + length;
  }
  return { frames, rest: data.subarray(offset) };
}

/** An upgraded raw socket: the server's frames as they arrive, and the close frame. */
export class RawWebSocket {
  readonly socket: Socket;
  readonly frames: ServerFrame[] = [];
  /** Resolves with the HTTP status line's code once the response head is in. */
  readonly status: Promise<number>;
  /** Resolves with the server's close frame (code and reason), or rejects if the TCP socket ends first. */
  readonly closeFrame: Promise<{ code: number; reason: string }>;
  #buffer: Buffer = Buffer.alloc(0);
  #upgraded = false;

  constructor(port: number, headerLines: readonly string[] = [`Host: 127.0.0.1:${port}`]) {
    this.socket = tcpConnect({ host: '127.0.0.1', port });
    let onStatus: (status: number) => void = () => undefined;
    this.status = new Promise((resolve) => (onStatus = resolve));
    let onClose: (close: { code: number; reason: string }) => void = () => undefined;
    let onEnd: (error: Error) => void = () => undefined;
    this.closeFrame = new Promise((resolve, reject) => {
      onClose = resolve;
      onEnd = reject;
    });
    this.closeFrame.catch(() => undefined);
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => onEnd(new Error('the TCP socket closed without a close frame')));
    this.socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      if (!this.#upgraded) {
        const end = this.#buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(this.#buffer.toString('latin1'))?.[1]);
        this.#upgraded = true;
        this.#buffer = this.#buffer.subarray(end + 4);
        onStatus(status);
      }
      const { frames, rest } = splitFrames(this.#buffer);
      this.#buffer = rest;
      for (const frame of frames) {
        this.frames.push(frame);
        if (frame.opcode === 0x8) {
          const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
          onClose({ code, reason: frame.payload.subarray(2).toString('utf8') });
        }
      }
    });
    this.socket.write(
      [
        'GET / HTTP/1.1',
        ...headerLines,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
      'latin1',
    );
  }

  /** Resolves once the first text frame (the connect challenge) has arrived. */
  async firstTextFrame(): Promise<string> {
    for (;;) {
      const text = this.frames.find((frame) => frame.opcode === 0x1);
      if (text) return text.payload.toString('utf8');
      await new Promise((resolve) => this.socket.once('data', resolve));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
