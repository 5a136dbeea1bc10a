/**
 * Who holds our port? If `/healthz` on it answers as a special-agent gateway, the user
 * already has one running (another user session, a headless `gateway run`): open that
 * one instead of failing. Anything else is some other program.
 */
import { DEFAULT_DESKTOP_OPTIONS } from './desktop-options.js';

export type PortHolder = 'special-agent' | 'other';

/** The `fetch` subset used, so tests can pass the real one against a real server. */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{
  ok: boolean;
  json(): Promise<unknown>;
}>;

export interface PortConflictOptions {
  host?: string;
  /** Give up on a holder that accepts the connection but never answers. */
  timeoutMs?: number;
}

const HEALTHZ_SERVICE = 'special-agent-gateway';

/** Ask `http://<host>:<port>/healthz`; any failure or a foreign answer means 'other'. */
export async function classifyPortConflict(
  port: number,
  fetchImpl: FetchLike,
  options: PortConflictOptions = {},
): Promise<PortHolder> {
  const host = options.host ?? '127.0.0.1';
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DESKTOP_OPTIONS.healthzTimeoutMs);
  try {
    const response = await fetchImpl(`http://${host}:${port}/healthz`, { signal });
    if (!response.ok) return 'other';
    const body: unknown = await response.json();
    const service =
      typeof body === 'object' && body !== null
        ? (body as { service?: unknown }).service
        : undefined;
    return service === HEALTHZ_SERVICE ? 'special-agent' : 'other';
  } catch {
    return 'other';
  }
}
