/**
 * A gateway restart as the UI sees it (`gateway.restart`, PROTOCOL.md): a `shutdown`
 * event with `restartExpectedMs`, close 1012, then the gateway listens again. On the same
 * port the connection reconnects by itself, first when the gateway said it would be back.
 * On a new port it cannot: a new port is a new origin, which a page cannot move to
 * silently, so the UI offers a link to the new address.
 */

/** Longest wait before the first reconnect after a restart, whatever the gateway said. */
export const MAX_RESTART_WAIT_MS = 30_000;

/** `shutdown`'s `restartExpectedMs` as a wait in ms, or undefined for a plain stop. */
export function restartExpectedMs(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const value = (payload as { restartExpectedMs?: unknown }).restartExpectedMs;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(Math.round(value), MAX_RESTART_WAIT_MS);
}

/** Where the gateway goes when a restart moves it off this page's port. */
export interface Relocation {
  /** The configured port; 0 means the gateway picks a free one, unknown here. */
  readonly port: number;
  /** The new address of the Control UI, when it can be known. */
  readonly url: string | undefined;
}

/**
 * The new address after a restart, or undefined when the page can stay: the port does not
 * change, or the page reaches the gateway through a proxy on another port (the proxy, not
 * the page, must follow).
 */
export function relocationAfterRestart(
  pageOrigin: string,
  listeningPort: number,
  configuredPort: number,
): Relocation | undefined {
  if (configuredPort === listeningPort) return undefined;
  const page = new URL(pageOrigin);
  const pagePort = page.port === '' ? (page.protocol === 'https:' ? 443 : 80) : Number(page.port);
  if (pagePort !== listeningPort) return undefined;
  if (configuredPort === 0) return { port: 0, url: undefined };
  page.port = String(configuredPort);
  return { port: configuredPort, url: `${page.origin}/` };
}
