/**
 * The one line for "nothing answers where the CLI looked", told from this home's gateway
 * lock: it may run on another port (gateway.port changed and it was not restarted yet), or
 * still be starting; else the advice is to start one.
 */
import type { CliContext } from './cli-context.js';
import { isAlive, readLock } from '../main/local/gateway-process.js';
import { fetchHealth } from './gateway-health.js';

/**
 * Nothing answers at `origin`. A live PID in the lock file means this home's gateway runs
 * anyway: on the port the lock names (e.g. `gateway.port` changed and the gateway was not
 * restarted yet), or still starting.
 */
export async function noGatewayAt(
  ctx: CliContext,
  origin: string,
  fromConfig: boolean,
  fingerprint: string | undefined,
): Promise<string> {
  const lock = await readLock(ctx.paths.gatewayLock);
  const live = lock !== undefined && isAlive(lock.pid);
  const wanted = new URL(origin);
  if (live && lock.port !== undefined && String(lock.port) !== wanted.port) {
    const elsewhere = `${wanted.protocol}//${wanted.hostname}:${lock.port}`;
    if ((await fetchHealth(elsewhere, { fingerprint })).kind === 'up') {
      return fromConfig
        ? `no gateway at ${origin}: the gateway (PID ${lock.pid}) still runs on :${lock.port}; restart it to apply port :${wanted.port} (stop it and run special-agent gateway run again, or choose Restart gateway in the tray), or reach it there with --url ${elsewhere} (started with --port, it stays there)`
        : `no gateway at ${origin}: this home's gateway (PID ${lock.pid}) runs on :${lock.port} (check --url or SPECIAL_AGENT_GATEWAY_URL)`;
    }
  }
  const note = live
    ? `; the gateway lock ${ctx.paths.gatewayLock} names PID ${lock.pid}, which is running: it may be starting, or listening on another port`
    : '';
  return `no gateway running at ${origin} (start one with: special-agent gateway run, or npm run gateway)${note}`;
}
