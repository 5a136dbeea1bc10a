/**
 * A small leveled logger that never prints a registered secret (STYLE.md "State") and
 * keeps one entry on one printable line: text from peers, devices and providers can
 * neither forge a log line nor drive the terminal that shows the log (src/shared/printable.ts).
 */
import { printable } from '../../shared/printable.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Whether a line of `level` would be written; absent means every level is. */
  enabled?(level: LogLevel): boolean;
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
/**
 * Shorter secrets are not scrubbed: replacing every "abc" would blank ordinary words,
 * and a secret that short is no protection anyway.
 */
export const MIN_REDACTED_SECRET_LENGTH = 4;

/** Builds a logger; each line is `<ISO time> <level> <message>`, secrets replaced, printable. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const secrets = options.secrets ?? (() => []);
  const enabled = (level: LogLevel) => ORDER[level] >= threshold;
  return levels((level, message) => {
    if (!enabled(level)) return;
    write(`${now().toISOString()} ${level} ${clean(message, secrets())}`);
  }, enabled);
}

/**
 * `logger`, with `secrets` scrubbed from every message before it gets there (and the
 * message made printable). The gateway wraps whatever logger its entry hands it, so its
 * secrets are scrubbed however that logger was built.
 */
export function withSecrets(logger: Logger, secrets: () => Iterable<string>): Logger {
  const enabled = (level: LogLevel) => logger.enabled?.(level) ?? true;
  // A line the wrapped logger drops is not scrubbed first: the connect path logs at debug.
  return levels((level, message) => {
    if (enabled(level)) logger[level](clean(message, secrets()));
  }, enabled);
}

/**
 * Replaces every occurrence of each secret of 4+ characters. Occurrences are found in the
 * original text and merged where they overlap, so no part of any secret survives.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const spans: [number, number][] = [];
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_SECRET_LENGTH) continue;
    // Step by one, not by the secret's length: a secret can overlap itself ("aaaa").
    for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
      spans.push([at, at + secret.length]);
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let result = '';
  let copied = 0;
  let end = -1;
  for (const [start, stop] of spans) {
    if (start > end) {
      if (end !== -1) result += REDACTED;
      result += text.slice(copied, start);
    }
    end = Math.max(end, stop);
    copied = end;
  }
  return result + REDACTED + text.slice(copied);
}

/** How many secrets seen at runtime {@link SeenSecrets} keeps by default. */
export const DEFAULT_MAX_SEEN_SECRETS = 64;

/**
 * Secrets met while running (provider keys resolved or stored), so the logger scrubs them
 * as it does the gateway token. Past `max`, the one seen longest ago is forgotten.
 */
export class SeenSecrets {
  readonly #values = new Set<string>();
  readonly #max: number;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? DEFAULT_MAX_SEEN_SECRETS;
  }

  /** Remembers `value` (again, as the newest). */
  add(value: string): void {
    this.#values.delete(value);
    this.#values.add(value);
    for (const oldest of this.#values) {
      if (this.#values.size <= this.#max) break;
      this.#values.delete(oldest);
    }
  }

  values(): IterableIterator<string> {
    return this.#values.values();
  }
}

function clean(message: string, secrets: Iterable<string>): string {
  // Redact first: a secret is matched as it is, before escaping could change its text.
  return printable(redact(message, secrets));
}

function levels(
  emit: (level: LogLevel, message: string) => void,
  enabled: (level: LogLevel) => boolean,
): Logger {
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    enabled,
  };
}
