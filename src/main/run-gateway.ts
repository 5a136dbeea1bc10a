import { startGatewayApp, type GatewayAppOptions } from './app.js';
import { createLogger } from './util/logger.js';
import { EXIT, exitCodeOf } from '../shared/exit-codes.js';

/**
 * Starts the gateway, prints where it listens, and stops it gracefully on SIGINT/SIGTERM
 * (a `shutdown` event, close 1012, exit 0). Startup failures print one line and return
 * their exit code: 78 for configuration, 1 otherwise.
 */
export async function runGatewayUntilSignal(
  options: GatewayAppOptions & { env: NodeJS.ProcessEnv },
): Promise<number> {
  const logger =
    options.logger ??
    createLogger({ level: options.env.SPECIAL_AGENT_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  let app;
  try {
    app = await startGatewayApp({ ...options, logger });
  } catch (error) {
    process.stderr.write(
      `special-agent: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return exitCodeOf(error);
  }
  const running = app;
  process.stdout.write(
    `special-agent gateway listening on ${running.url} (auth: ${running.authMode})\n`,
  );
  if (running.authMode === 'token') {
    process.stdout.write('Open the Control UI with: special-agent dashboard\n');
  }
  return await new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`received ${signal}, stopping`);
      running.stop(`gateway stopping (${signal})`).then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          logger.error(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
          resolve(EXIT.failure);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
