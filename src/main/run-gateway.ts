import { startGatewayApp, type GatewayApp, type GatewayAppOptions } from './app.js';
import { resolvePaths } from './config/paths.js';
import { logLevelFromEnv, openGatewayLog, type GatewayLog } from './util/gateway-log.js';
import { withSecrets } from './util/logger.js';
import { EXIT, exitCodeOf } from '../shared/exit-codes.js';

/**
 * Starts the gateway, prints where it listens, and stops it gracefully on SIGINT/SIGTERM
 * (a `shutdown` event, close 1012, exit 0). `gateway.restart` stops it and starts it again
 * in this process on the config as it is then. Startup failures (also of a restart) print
 * one line and return their exit code: 78 for configuration, 1 otherwise. Every line also
 * goes to `<home>/logs/gateway.log`; stdout and stderr are copies that may close at any time.
 */
export async function runGatewayUntilSignal(
  options: GatewayAppOptions & { env: NodeJS.ProcessEnv; log?: GatewayLog },
): Promise<number> {
  const { env } = options;
  const log =
    options.log ?? openGatewayLog({ home: resolvePaths(env).home, level: logLevelFromEnv(env) });
  const logger = options.logger ?? log.logger;
  // A crash prints its stack to stderr, which may be gone: the file keeps it (written
  // synchronously, so it lands before the process ends). The monitor does not stop the crash.
  process.on('uncaughtExceptionMonitor', (error) =>
    withSecrets(log.fileLogger, () => envSecrets(env)).error(
      `gateway crashed: ${error.stack ?? error.message}`,
    ),
  );
  /** Resolves with the exit code once the gateway stopped for good. */
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  // Start, restart and stop run one at a time, in the order asked.
  let lifecycle = Promise.resolve();
  let running: GatewayApp | undefined;
  let stopping = false;

  const start = async (): Promise<boolean> => {
    try {
      running = await startGatewayApp({ ...options, logger, onRestartRequested: restart });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The app's own scrubbing is gone with it; the secrets known from the environment stay out.
      log.stderr.write(`special-agent: ${message}\n`);
      log.quietFileErrors();
      withSecrets(log.fileLogger, () => envSecrets(env)).error(`gateway did not start: ${message}`);
      log.close();
      finish(exitCodeOf(error));
      return false;
    }
    announce(running, log, options.overrides);
    return true;
  };

  const restart = (restartExpectedMs: number): void => {
    lifecycle = lifecycle.then(async () => {
      const current = running;
      if (stopping || !current) return;
      logger.info('restarting (gateway.restart)');
      running = undefined;
      await current.stop('gateway restarting', restartExpectedMs);
      if (!(await start())) removeSignals();
    });
  };

  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    lifecycle = lifecycle.then(async () => {
      logger.info(`received ${signal}, stopping`);
      try {
        await running?.stop(`gateway stopping (${signal})`);
        logger.info('gateway stopped');
        log.close();
        finish(EXIT.ok);
      } catch (error) {
        logger.error(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        log.close();
        finish(EXIT.failure);
      }
    });
  };
  const removeSignals = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };

  if (!(await start())) return finished;
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return finished;
}

function announce(
  app: GatewayApp,
  log: GatewayLog,
  overrides: GatewayAppOptions['overrides'],
): void {
  log.fileLogger.info(
    `gateway listening on ${app.url} (auth: ${app.authMode}, pid ${process.pid})`,
  );
  log.stdout.write(`special-agent gateway listening on ${app.url} (auth: ${app.authMode})\n`);
  if (app.authMode === 'token') {
    // Other commands read the port and bind from the file, which --port/--bind beat here.
    const overridden = overrides?.port !== undefined || overrides?.bind !== undefined;
    const where = overridden ? ` --url ${app.url.replace(/\/$/, '')}` : '';
    log.stdout.write(`Open the Control UI with: special-agent dashboard${where}\n`);
  }
}

function envSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env.SPECIAL_AGENT_GATEWAY_TOKEN, env.SPECIAL_AGENT_GATEWAY_PASSWORD].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}
