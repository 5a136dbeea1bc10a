/**
 * What the gateway entries log through: every line goes to `<home>/logs/gateway.log` and,
 * as a copy that may vanish at any time, to stderr. Built once by each entry (the headless
 * gateway, `gateway run`, the Electron main process).
 */
import { DetachableOutput, type OutputStream } from './detachable-output.js';
import { RotatingLogFile, gatewayLogPath, type RotatingLogFileOptions } from './log-file.js';
import { createLogger, type LogLevel, type Logger } from './logger.js';

/** Options of {@link openGatewayLog}. */
export interface GatewayLogOptions {
  home: string;
  level?: LogLevel;
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Rotation limits; the defaults are log-file.ts's. */
  file?: Omit<RotatingLogFileOptions, 'path' | 'onError'>;
  now?: () => Date;
}

/** The gateway's log and its two terminal copies. */
export interface GatewayLog {
  /**
   * No "cannot write the log file" line from now on: a start that failed prints its one-line
   * cause, and a home that cannot take the log (read-only, full) must not add a second.
   */
  quietFileErrors(): void;
  /** Writes each line to the file and to the stderr copy. */
  readonly logger: Logger;
  /** Writes to the file only: for lines the terminal already shows in another form. */
  readonly fileLogger: Logger;
  readonly stdout: DetachableOutput;
  readonly stderr: DetachableOutput;
  readonly path: string;
  close(): void;
}

/** The level `SPECIAL_AGENT_LOG_LEVEL` asks for: `debug`, else `info`. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  return env.SPECIAL_AGENT_LOG_LEVEL === 'debug' ? 'debug' : 'info';
}

/** Opens the log of `home` (the file itself is created by the first line). */
export function openGatewayLog(options: GatewayLogOptions): GatewayLog {
  const stdout = new DetachableOutput(options.stdout ?? process.stdout);
  const stderr = new DetachableOutput(options.stderr ?? process.stderr);
  const path = gatewayLogPath(options.home);
  let reported = false;
  const file = new RotatingLogFile({
    ...options.file,
    path,
    onError: (error) => {
      // Once per process: a full disk would otherwise double every line on the terminal.
      if (reported) return;
      reported = true;
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      stderr.write(
        `special-agent: cannot write the log file ${path} (${code}); lines go to the terminal only\n`,
      );
    },
  });
  const common = { level: options.level ?? 'info', ...(options.now ? { now: options.now } : {}) };
  return {
    logger: createLogger({
      ...common,
      write: (line) => {
        file.write(line);
        stderr.write(`${line}\n`);
      },
    }),
    fileLogger: createLogger({ ...common, write: (line) => file.write(line) }),
    stdout,
    stderr,
    path,
    quietFileErrors: () => {
      reported = true;
    },
    close: () => file.close(),
  };
}
