import type { WebSocket } from 'ws';

/**
 * The only place that reaches into ws internals. ws fixes a socket's `maxPayload` at the
 * upgrade and has no public way to change it, but its Receiver keeps the limit in
 * `_maxPayload` and compares each frame header's announced length against it before
 * reading the payload (ws 8, lib/receiver.js `haveLength`). The gateway upgrades at the
 * pre-auth limit and raises it at admission, so a header announcing more than 64 KiB
 * before `hello-ok` closes 1009 at once instead of buffering up to 1 MiB per socket
 * (PROTOCOL.md "Transport"). ws-payload-limit.test.ts fails if a ws upgrade moves these.
 */
interface ReceiverInternals {
  _maxPayload: number;
  prependListener(event: 'error', listener: (error: Error & { code?: unknown }) => void): unknown;
}

/** ws's error codes for a frame or message past `maxPayload` (both close 1009). */
const TOO_LARGE_CODES: readonly unknown[] = [
  'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
  'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
];

function receiverOf(ws: WebSocket): ReceiverInternals {
  const receiver = (ws as unknown as { _receiver?: Partial<ReceiverInternals> })._receiver;
  if (typeof receiver?._maxPayload !== 'number' || typeof receiver.prependListener !== 'function') {
    throw new Error(
      'ws internals changed: WebSocket._receiver._maxPayload is gone (see ws-payload-limit.ts)',
    );
  }
  return receiver as ReceiverInternals;
}

/** Sets the largest frame (message) `ws` accepts from now on. */
export function setMaxPayload(ws: WebSocket, bytes: number): void {
  receiverOf(ws)._maxPayload = bytes;
}

/**
 * Calls `listener` when a frame header announces more than the current limit, before ws
 * closes 1009 itself (with an empty reason): a close the listener starts goes out first
 * and carries its reason; ws's own close then finds the socket closing and adds nothing.
 */
export function onPayloadTooLarge(ws: WebSocket, listener: () => void): void {
  receiverOf(ws).prependListener('error', (error) => {
    if (TOO_LARGE_CODES.includes(error.code)) listener();
  });
}
