/**
 * Model discovery: asks a provider which models it serves. OpenAI-compatible servers and
 * Anthropic answer `GET <baseUrl>/models` (`{data:[{id, owned_by?}]}`); Ollama's own list,
 * `GET <origin>/api/tags` (`{models:[{name}]}`), is asked when `/models` is missing (404).
 * One limit for the whole exchange, headers and body together.
 */
import { anthropicHeaders } from './stream-anthropic.js';
import {
  ChatAbortedError,
  displayUrl,
  httpStatusError,
  networkReason,
  providerError,
  unreachableError,
} from './provider-errors.js';
import { endpoint, type ProviderRef } from './provider-types.js';
import { readBounded, refuseRejectedKey } from './sse-request.js';

/** Longest a listing may take, headers and body. */
export const MODEL_LIST_TIMEOUT_MS = 5000;
/** Largest listing body read; a bigger one is refused, not cut (cut JSON would lie). */
export const MODEL_LIST_MAX_BYTES = 1024 * 1024;
/** Anthropic pages its list (default 20); one page of its maximum is every model it has. */
const ANTHROPIC_PAGE_LIMIT = 1000;

/** One listed model. */
export interface ListedModel {
  id: string;
  ownedBy?: string;
}

export interface ModelListRequest {
  provider: ProviderRef;
  apiKey?: string | undefined;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/** The provider's models, in its order. Throws `GatewayError` (PROVIDER_*) on failure. */
export async function fetchModelList(request: ModelListRequest): Promise<ListedModel[]> {
  const { provider } = request;
  const timeout = AbortSignal.timeout(request.timeoutMs ?? MODEL_LIST_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const call: Call = {
    provider,
    apiKey: request.apiKey,
    signal,
    callerSignal: request.signal,
    timeoutMs: request.timeoutMs ?? MODEL_LIST_TIMEOUT_MS,
  };
  if (provider.type === 'anthropic') {
    const url = endpoint(provider.baseUrl, `models?limit=${ANTHROPIC_PAGE_LIMIT}`);
    return fromData(await getJson(call, url, anthropicHeaders(request.apiKey)), call);
  }
  const headers: Record<string, string> = request.apiKey
    ? { authorization: `Bearer ${request.apiKey}` }
    : {};
  const listed = await getJson(call, endpoint(provider.baseUrl, 'models'), headers, true);
  if (listed !== NOT_FOUND) return fromData(listed, call);
  // Ollama before its OpenAI-compatible `/v1/models` existed: its native list at the root.
  const root = provider.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const tags = await getJson(call, `${root}/api/tags`, headers);
  return fromTags(tags, call);
}

const NOT_FOUND = Symbol('not found');

interface Call {
  provider: ProviderRef;
  apiKey: string | undefined;
  /** The caller's signal and our timeout together. */
  signal: AbortSignal;
  callerSignal: AbortSignal | undefined;
  timeoutMs: number;
}

async function getJson(
  call: Call,
  url: string,
  headers: Record<string, string>,
  notFoundIsAnswer = false,
): Promise<unknown> {
  const { provider, apiKey } = call;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...headers },
      signal: call.signal,
    });
  } catch (error) {
    throw failure(error, call);
  }
  await refuseRejectedKey(response, provider.id);
  if (response.status === 404 && notFoundIsAnswer) {
    await response.body?.cancel();
    return NOT_FOUND;
  }
  let body: string;
  try {
    body = await readBounded(response, MODEL_LIST_MAX_BYTES + 1);
  } catch (error) {
    throw failure(error, call);
  }
  if (!response.ok) throw httpStatusError(provider.id, response, body, apiKey);
  if (Buffer.byteLength(body) > MODEL_LIST_MAX_BYTES)
    throw providerError(
      provider.id,
      `model list larger than ${MODEL_LIST_MAX_BYTES} bytes`,
      apiKey,
    );
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw providerError(provider.id, 'model list is not JSON', apiKey);
  }
}

function failure(error: unknown, call: Call): Error {
  if (call.callerSignal?.aborted) return new ChatAbortedError();
  const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
  const reason = timedOut ? `no answer within ${call.timeoutMs} ms` : networkReason(error);
  return unreachableError(call.provider.id, call.provider.baseUrl, reason);
}

/** `{data:[{id, owned_by?}]}`: OpenAI, Anthropic, vLLM, LM Studio, Ollama's `/v1/models`. */
function fromData(body: unknown, call: Call): ListedModel[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw unreadable(call);
  return data.flatMap((entry: unknown) => {
    const { id, owned_by: ownedBy } = (entry ?? {}) as { id?: unknown; owned_by?: unknown };
    if (typeof id !== 'string' || id === '') return [];
    return [{ id, ...(typeof ownedBy === 'string' && ownedBy ? { ownedBy } : {}) }];
  });
}

/** Ollama's `{models:[{name, model}]}`. */
function fromTags(body: unknown, call: Call): ListedModel[] {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw unreadable(call);
  return models.flatMap((entry: unknown) => {
    const { name, model } = (entry ?? {}) as { name?: unknown; model?: unknown };
    const id = typeof name === 'string' && name ? name : model;
    return typeof id === 'string' && id ? [{ id }] : [];
  });
}

function unreadable(call: Call): Error {
  return providerError(
    call.provider.id,
    `the model list of ${displayUrl(call.provider.baseUrl)} is in a format we do not understand`,
    call.apiKey,
  );
}
