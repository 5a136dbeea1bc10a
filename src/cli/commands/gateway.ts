/** `special-agent gateway run|status|logs`. */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, storageFix } from '../../main/local/config.js';
import {
  DEFAULT_TAIL_LINES,
  followLog,
  gatewayLogPath,
  logExists,
  readLastLinesUpTo,
  runGatewayUntilSignal,
} from '../../main/local/gateway-process.js';
import { isBindValue } from '../../shared/bind-value.js';
import { printable } from '../../shared/printable.js';
import type { StatusPayload } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { noGatewayAt } from '../no-gateway.js';
import { formatUptime, plural, toJson } from '../format.js';
import {
  connectGateway,
  httpOrigin,
  GATEWAY_URL_ENV,
  resolveGatewayTarget,
  type SharedAuth,
} from '../gateway-connection.js';
import { fetchHealth } from '../gateway-health.js';
import { parsePort, withJson, withUrl, type JsonOption, type UrlOption } from '../options.js';
import { pinMismatchMessage } from '../tls-pin.js';

/** Commander parser for `--bind`: what `gateway.bind` takes (a keyword, or an IP as written). */
function parseBind(value: string): string {
  if (!isBindValue(value))
    throw new InvalidArgumentError('expected loopback, lan, tailnet or an IP address');
  return value;
}

/** Registers `gateway run`, `gateway status` and `gateway logs`. */
export function registerGatewayCommands(program: Command, ctx: CliContext): void {
  const gateway = program.command('gateway').description('run the gateway, or see whether it runs');
  withJson(
    gateway
      .command('run')
      .description('run the gateway and Control UI in this terminal (Ctrl-C stops it)')
      .option('--port <n>', 'listen on this port instead of gateway.port', parsePort)
      .option(
        '--bind <bind>',
        'loopback | lan | tailnet | an IP, instead of gateway.bind',
        parseBind,
      ),
  ).action(async (options: { port?: number; bind?: string }) => {
    // The whole gateway loads only now (runGatewayUntilSignal imports it when called).
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
  withJson(
    gateway
      .command('logs')
      .description('show the end of the gateway log (<home>/logs/gateway.log); no gateway needed')
      .option(
        '-n, --lines <n>',
        `how many of the last lines (default ${DEFAULT_TAIL_LINES})`,
        parseLineCount,
      )
      .option(
        '-f, --follow',
        'keep printing lines as they are written, across rotation (Ctrl-C stops)',
      ),
  ).action((options: LogsOptions) => gatewayLogs(ctx, options));
}

interface LogsOptions extends JsonOption {
  lines?: number;
  follow?: boolean;
}

function parseLineCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of lines from 1');
  return Number(value);
}

/**
 * Prints the last lines; with `--follow`, then every new line until Ctrl-C or until stdout
 * closes (`… | head`). `--json` prints `{"lines": […]}`, the `logs.tail` payload: once for
 * the last lines, then one compact document per new line.
 */
async function gatewayLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  const path = gatewayLogPath(ctx.paths.home);
  if (!options.follow && !(await logExists(path))) {
    throw new CliError(
      `no gateway log at ${path} yet (the gateway writes it while it runs: special-agent gateway run)`,
    );
  }
  // The follower starts where these lines end: nothing written meanwhile is lost or repeated.
  const { lines, end } = await readLastLinesUpTo(path, options.lines ?? DEFAULT_TAIL_LINES).catch(
    (error: unknown) => {
      throw unreadableLog(path, error) ?? error;
    },
  );
  if (options.json) ctx.io.out(toJson({ lines }));
  else if (lines.length > 0) ctx.io.out(lines.map((line) => `${printable(line)}\n`).join(''));
  if (!options.follow) return;
  await new Promise<void>((resolve) => {
    const follower = followLog({
      path,
      from: end,
      onLine: (line) =>
        ctx.io.out(
          options.json ? `${JSON.stringify({ lines: [line] })}\n` : `${printable(line)}\n`,
        ),
    });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      removeInterrupt();
      void follower.stop().then(resolve);
    };
    const removeInterrupt = ctx.onInterrupt(finish);
    // A reader that went away (EPIPE) ends the follow quietly, as with tail -f | head.
    ctx.io.stdout.once('error', finish);
  });
}

/** A log that is there but cannot be read, named with what to do (the generic one says "save"). */
function unreadableLog(path: string, error: unknown): CliError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return undefined;
  const fix = code === 'EISDIR' ? 'it is a folder, not a file; move it aside' : storageFix(code);
  return fix ? new CliError(`could not read the gateway log ${path}: ${fix} (${code})`) : undefined;
}

async function gatewayStatus(ctx: CliContext, options: UrlOption): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  const target = await resolveGatewayTarget(ctx, config, options);
  const origin = httpOrigin(target.url);
  const health = await fetchHealth(origin, { fingerprint: target.pin?.fingerprint });
  if (health.kind === 'pin-mismatch' && target.pin !== undefined) {
    throw new CliError(pinMismatchMessage(target.url, target.pin, health.error));
  }
  if (health.kind === 'dropped') {
    throw new CliError(
      `the gateway at ${origin} closed the connection; if it uses TLS (gateway.tls), use --url ${target.url.replace(/^ws:/, 'wss:')}`,
    );
  }
  if (health.kind === 'not-tls') {
    throw new CliError(
      `the gateway at ${origin} does not speak TLS; use --url ${target.url.replace(/^wss:/, 'ws:')}`,
    );
  }
  if (health.kind === 'down') {
    const fromConfig = !options.url && !ctx.env[GATEWAY_URL_ENV];
    throw new CliError(await noGatewayAt(ctx, origin, fromConfig, target.pin?.fingerprint));
  }
  if (health.kind === 'refused') {
    throw new CliError(
      `the gateway at ${origin} refused the request (HTTP 403; add this host to gateway.allowedHosts or use 127.0.0.1)`,
    );
  }
  if (health.kind !== 'up') {
    throw new CliError(
      `something other than a special-agent gateway answers at ${origin} (check --url or gateway.port)`,
    );
  }
  const connection = await connectGateway(ctx, config, { target });
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

/**
 * `Gateway on 127.0.0.1:18789 · token (keychain) · up 3m · 2 connections · 0 pending pairing · keychain: available`,
 * then with TLS a second line with the whole fingerprint, the value clients pin.
 */
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
    ].join(' · ') +
    '\n' +
    tlsLine(status.tls)
  );
}

/** `TLS fingerprint (SHA-256) AB:CD:… · valid until 2027-04-01`, or nothing without TLS. */
function tlsLine(tls: StatusPayload['tls'] | undefined): string {
  if (!tls?.enabled || tls.fingerprintSha256 === undefined) return '';
  const until =
    tls.expiresAtMs === undefined
      ? ''
      : ` · valid until ${new Date(tls.expiresAtMs).toISOString().slice(0, 10)}`;
  return `TLS fingerprint (SHA-256) ${tls.fingerprintSha256}${until}\n`;
}
