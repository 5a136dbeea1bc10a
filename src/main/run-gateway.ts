import { startGatewayApp, type GatewayAppOptions } from './app.js';
import { resolvePaths } from './config/paths.js';
import { logLevelFromEnv, openGatewayLog, type GatewayLog } from './util/gateway-log.js';
import { withSecrets } from './util/logger.js';
import { EXIT, exitCodeOf } from '../shared/exit-codes.js';

/**
 * Starts the gateway, prints where it listens, and stops it gracefully on SIGINT/SIGTERM
 * (a `shutdown` event, close 1012, exit 0). Startup failures print one line and return
 * their exit code: 78 for configuration, 1 otherwise. Every line also goes to
 * `<home>/logs/gateway.log`; stdout and stderr are copies that may close at any time.
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
  let app;
  try {
    app = await startGatewayApp({ ...options, logger });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The app's own scrubbing is gone with it; the secrets known from the environment stay out.
    log.stderr.write(`special-agent: ${message}\n`);
    log.quietFileErrors();
    withSecrets(log.fileLogger, () => envSecrets(env)).error(`gateway did not start: ${message}`);
    log.close();
    return exitCodeOf(error);
  }
  const running = app;
  log.fileLogger.info(
    `gateway listening on ${running.url} (auth: ${running.authMode}, pid ${process.pid})`,
  );
  log.stdout.write(
    `special-agent gateway listening on ${running.url} (auth: ${running.authMode})\n`,
  );
  if (running.authMode === 'token') {
    log.stdout.write('Open the Control UI with: special-agent dashboard\n');
  }
  return await new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`received ${signal}, stopping`);
      running.stop(`gateway stopping (${signal})`).then(
        () => {
          logger.info('gateway stopped');
          log.close();
          resolve(EXIT.ok);
        },
        (error: unknown) => {
          logger.error(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
          log.close();
          resolve(EXIT.failure);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function envSecrets(env: NodeJS.ProcessEnv): string[] {
  return [env.SPECIAL_AGENT_GATEWAY_TOKEN, env.SPECIAL_AGENT_GATEWAY_PASSWORD].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}
