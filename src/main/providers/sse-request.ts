/**
 * The HTTP half both provider clients share: POST a JSON body, wait for the headers under
 * a connect timeout, map failures to registry errors, then hand back server-sent events
 * under an idle timeout, all the events of one body read together. Bytes go through a
 * streaming TextDecoder before the SSE parser, so a UTF-8 character or a line split across
 * TCP chunks arrives whole.
 *
 * Why batches: a provider sends one event per token, and a fast one packs hundreds into
 * one read. Handing them on one by one cost an await per token in every layer up to the
 * chat service (a 20,000-token reply relayed at a third of the direct rate, issue 16).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayError } from '../../shared/errors.js';
import {
  ChatAbortedError,
  ProviderTimeoutError,
  httpStatusError,
  networkReason,
  providerError,
  rejectedKeyError,
  unreachableError,
} from './provider-errors.js';
import type { ProviderRef, StreamOptions } from './provider-types.js';

/** What one streaming call needs besides the provider-specific body. */
export interface SseRequest {
  provider: ProviderRef;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  apiKey?: string | undefined;
  signal?: AbortSignal | undefined;
  options: StreamOptions;
}

/**
 * Yields the response's SSE events, in order, as one array per body read (never empty).
 * Throws `ChatAbortedError` when the caller aborts and a `GatewayError` (PROVIDER_*) for
 * everything else. Returning early closes the connection.
 */
export async function* streamServerSentEvents(
  request: SseRequest,
): AsyncGenerator<EventSourceMessage[], void, undefined> {
  const { provider, options } = request;
  const timer = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, timer.signal]) : timer.signal;
  let timeout = arm(timer, 'connect', options.connectTimeoutMs);
  const fail = (error: unknown): Error => mapFailure(error, request, timer.signal);
  try {
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...request.headers,
        },
        body: JSON.stringify(request.body),
        signal,
      });
    } catch (error) {
      throw fail(error);
    }
    clearTimeout(timeout);
    timeout = arm(timer, 'idle', options.idleTimeoutMs);
    await rejectUnlessEventStream(response, request).catch((error: unknown) => {
      throw fail(error);
    });
    clearTimeout(timeout);
    if (!response.body) throw providerError(provider.id, 'empty response body', request.apiKey);
    const reader = response.body.getReader();
    // fetch cannot error a body whose reader is taken: the abort (the caller's, a timeout,
    // or ours in `finally`) cancels the reader, so a pending read ends at once.
    const cancel = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    const decoder = new TextDecoder();
    let batch: EventSourceMessage[] = [];
    let overflow = false;
    const parser = createParser({
      onEvent: (event) => batch.push(event),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') overflow = true;
      },
      maxBufferSize: options.maxEventChars,
    });
    for (;;) {
      timeout = arm(timer, 'idle', options.idleTimeoutMs);
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw fail(error);
      }
      // The consumer's time between reads is not provider silence.
      clearTimeout(timeout);
      // Events that arrive after an abort are not delivered.
      if (signal.aborted) throw fail(signal.reason);
      // At the end the decoder hands over what it held back (a torn last character as U+FFFD).
      parser.feed(chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true }));
      if (overflow) throw eventTooLarge(request, options.maxEventChars);
      if (batch.length > 0) {
        const events = batch;
        batch = [];
        yield events;
      }
      if (chunk.done) return;
    }
  } finally {
    clearTimeout(timeout);
    // Ends the upstream request if we stop early (error, return, abort): no orphan socket.
    timer.abort(new ChatAbortedError('stream closed'));
  }
}

function eventTooLarge(request: SseRequest, maxChars: number): GatewayError {
  return providerError(
    request.provider.id,
    `sent an event longer than ${maxChars} characters (the limit is maxEventChars)`,
    request.apiKey,
  );
}

function arm(timer: AbortController, phase: 'connect' | 'idle', ms: number): NodeJS.Timeout {
  return setTimeout(() => timer.abort(new ProviderTimeoutError(phase, ms)), ms);
}

async function rejectUnlessEventStream(response: Response, request: SseRequest): Promise<void> {
  const id = request.provider.id;
  await refuseRejectedKey(response, id);
  const contentType = response.headers.get('content-type') ?? '';
  if (response.ok && contentType.includes('text/event-stream')) return;
  const body = await readBounded(response, request.options.maxErrorBodyBytes);
  if (!response.ok) throw httpStatusError(id, response, body, request.apiKey);
  throw providerError(
    id,
    `expected a text/event-stream, got ${contentType || 'no content-type'}`,
    request.apiKey,
  );
}

/** A 401 or 403 answer throws PROVIDER_REJECTED_KEY, its body dropped unread. */
export async function refuseRejectedKey(response: Response, providerId: string): Promise<void> {
  if (response.status !== 401 && response.status !== 403) return;
  await response.body?.cancel();
  throw rejectedKeyError(providerId, response.status);
}

/** Reads at most `maxBytes` of the body, then drops the rest. */
export async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

function mapFailure(error: unknown, request: SseRequest, timerSignal: AbortSignal): Error {
  if (request.signal?.aborted) return new ChatAbortedError();
  if (error instanceof GatewayError) return error;
  const reason: unknown = timerSignal.reason;
  if (timerSignal.aborted && reason instanceof ProviderTimeoutError) {
    const what =
      reason.phase === 'connect'
        ? `no response within ${reason.timeoutMs} ms`
        : `no data for ${reason.timeoutMs} ms`;
    return unreachableError(request.provider.id, request.provider.baseUrl, what);
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return unreachableError(request.provider.id, request.provider.baseUrl, networkReason(error));
  }
  // The connection broke after the provider had answered (reset, truncated chunking).
  return providerError(
    request.provider.id,
    `connection lost mid-response (${networkReason(error)})`,
    request.apiKey,
  );
}
