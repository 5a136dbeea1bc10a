/** A small leveled logger that never prints a registered secret (STYLE.md "State"). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr so stdout stays machine-readable. */
  write?: (line: string) => void;
  /** Current secrets to scrub from every line (token, password, keys seen at runtime). */
  secrets?: () => Iterable<string>;
  now?: () => Date;
}

const REDACTED = '[redacted]';

/** Builds a logger; each line is `<ISO time> <level> <message>` with secrets replaced. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string) => {
    if (ORDER[level] < threshold) return;
    write(`${now().toISOString()} ${level} ${redact(message, options.secrets?.() ?? [])}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}

/** Replaces every occurrence of each secret (4+ chars, to avoid scrubbing noise). */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** A logger that drops everything, for callers that opt out of logging. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
