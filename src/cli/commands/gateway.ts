/** `special-agent gateway run|status`. */
import type { Command } from 'commander';
import { loadConfig } from '../../main/config/load.js';
import { isAlive, readHolder } from '../../main/gateway/gateway-lock.js';
import type { StatusPayload } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatUptime, plural, toJson } from '../format.js';
import {
  connectGateway,
  httpOrigin,
  resolveGatewayUrl,
  type SharedAuth,
} from '../gateway-connection.js';
import { parsePort, withJson, withUrl, type UrlOption } from '../options.js';

/** How long `gateway status` waits for `/healthz`. */
export const HEALTHZ_TIMEOUT_MS = 3000;
const HEALTHZ_SERVICE = 'special-agent-gateway';

/** Registers `gateway run` and `gateway status`. */
export function registerGatewayCommands(program: Command, ctx: CliContext): void {
  const gateway = program.command('gateway').description('run the gateway, or see whether it runs');
  withJson(
    gateway
      .command('run')
      .description('run the gateway and Control UI in this terminal (Ctrl-C stops it)')
      .option('--port <n>', 'listen on this port instead of gateway.port', parsePort)
      .option('--bind <bind>', 'loopback | lan | tailnet | an IP, instead of gateway.bind'),
  ).action(async (options: { port?: number; bind?: string }) => {
    // Loaded here, not at the top: the whole gateway is only needed by this command.
    const { runGatewayUntilSignal } = await import('../../main/run-gateway.js');
    ctx.exitCode = await runGatewayUntilSignal({
      env: ctx.env,
      overrides: { port: options.port, bind: options.bind },
    });
  });
  withUrl(
    withJson(
      gateway.command('status').description('is the gateway up, where, with which auth mode'),
    ),
  ).action((options: UrlOption) => gatewayStatus(ctx, options));
}

async function gatewayStatus(ctx: CliContext, options: UrlOption): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  const url = resolveGatewayUrl({ flag: options.url, env: ctx.env, config });
  const origin = httpOrigin(url);
  const health = await fetchHealth(origin);
  if (health === 'down') {
    throw new CliError(
      `no gateway running at ${origin} (start one with: special-agent gateway run, or npm run gateway)${await lockNote(ctx)}`,
    );
  }
  if (health === 'refused') {
    throw new CliError(
      `the gateway at ${origin} refused the request (HTTP 403; add this host to gateway.allowedHosts or use 127.0.0.1)`,
    );
  }
  if (health === 'foreign') {
    throw new CliError(
      `something other than a special-agent gateway answers at ${origin} (check --url or gateway.port)`,
    );
  }
  const connection = await connectGateway(ctx, config, { url });
  try {
    const status = await connection.client.request<StatusPayload>('status');
    ctx.io.out(
      options.json
        ? toJson(status)
        : statusLine(new URL(origin).hostname, status, connection.shared),
    );
  } finally {
    connection.close();
  }
}

/** `Gateway on 127.0.0.1:18789 · token (keychain) · up 3m · 2 connections · 0 pending pairing · keychain: available` */
export function statusLine(
  host: string,
  status: StatusPayload,
  shared: Pick<SharedAuth, 'source'>,
): string {
  const auth =
    status.authMode === 'none' || shared.source === 'none'
      ? status.authMode
      : `${status.authMode} (${shared.source})`;
  return (
    [
      `Gateway on ${host}:${status.port}`,
      auth,
      `up ${formatUptime(status.uptimeMs)}`,
      plural(status.connections, 'connection'),
      `${status.pendingPairings} pending pairing`,
      `keychain: ${status.keychain.available ? 'available' : 'unavailable'}`,
    ].join(' · ') + '\n'
  );
}

async function fetchHealth(origin: string): Promise<'up' | 'down' | 'refused' | 'foreign'> {
  let response: Response;
  try {
    response = await fetch(`${origin}/healthz`, {
      signal: AbortSignal.timeout(HEALTHZ_TIMEOUT_MS),
    });
  } catch {
    return 'down';
  }
  if (response.status === 403) return 'refused';
  const body = (await response.json().catch(() => undefined)) as { service?: unknown } | undefined;
  return response.ok && body?.service === HEALTHZ_SERVICE ? 'up' : 'foreign';
}

/** A live PID in the lock file means a gateway holds this home, just not at that address. */
async function lockNote(ctx: CliContext): Promise<string> {
  const pid = await readHolder(ctx.paths.gatewayLock);
  if (pid === undefined || !isAlive(pid)) return '';
  return `; the gateway lock ${ctx.paths.gatewayLock} names PID ${pid}, which is running: it may be starting, or listening on another port`;
}
