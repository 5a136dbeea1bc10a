/**
 * The CLI's surface of src/main: the gateway of this home as a process. Running it in the
 * terminal (`gateway run`), whether one runs (its lock), its log file, and whether a bind
 * stays on this machine.
 */
import type { runGatewayUntilSignal as runGateway } from '../run-gateway.js';

export { isAlive, readLock } from '../gateway/gateway-lock.js';
export { bindIsLoopback } from '../gateway/listen-address.js';
import { listenHostFor } from '../gateway/listen-address.js';

/**
 * Where a tool on this machine reaches the gateway for `bind`, as a URL shows it:
 * 127.0.0.1 for loopback and wildcard binds, else the one address it listens on (an
 * explicit IP, or this host's tailnet address), where 127.0.0.1 would find nothing.
 */
export function localGatewayHost(bind: string): string {
  if (bind === 'loopback' || bind === 'lan' || bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '[::1]';
  let host: string;
  try {
    host = listenHostFor(bind);
  } catch {
    // A tailnet bind with no tailnet up: the gateway cannot be running there either.
    return '127.0.0.1';
  }
  return host.includes(':') ? `[${host}]` : host;
}
export { gatewayLogPath } from '../util/log-file.js';
export { DEFAULT_TAIL_LINES, followLog, logExists, readLastLinesUpTo } from '../util/log-tail.js';

/**
 * Runs the gateway in this process until SIGINT/SIGTERM and returns the exit code
 * (src/main/run-gateway.ts). The whole gateway loads only when this is called: no other
 * command, and no importer of this file, pays for it (a chunk of its own in the bundle).
 */
export async function runGatewayUntilSignal(
  options: Parameters<typeof runGateway>[0],
): Promise<number> {
  const { runGatewayUntilSignal: run } = await import('../run-gateway.js');
  return run(options);
}
