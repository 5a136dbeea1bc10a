/**
 * How a failure leaves the CLI: one line `special-agent: <cause and fix>` on stderr and an
 * exit code a script can branch on.
 */
import { CommanderError } from 'commander';
import { ConfigError, storageError } from '../main/local/config.js';
import { GatewayError } from '../shared/errors.js';
import { EXIT, exitCodeOf } from '../shared/exit-codes.js';
import { printable } from '../shared/printable.js';
import { GatewayClientError } from '../shared/gateway-client.js';

export { EXIT };

/** A failure the CLI itself diagnosed, with its message already written for the user. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The one line and exit code for anything a command threw. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CommanderError) {
    return {
      message: error.message.replace(/^error: /, ''),
      exitCode: error.exitCode === EXIT.ok ? EXIT.ok : EXIT.usage,
    };
  }
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: EXIT.config };
  // Gateway and keychain messages already say what to do; pass them on verbatim.
  if (error instanceof GatewayClientError || error instanceof GatewayError) {
    return { message: error.message, exitCode: EXIT.failure };
  }
  const storage = storageError(error);
  if (storage) return { message: storage.message, exitCode: EXIT.failure };
  return {
    message: error instanceof Error ? error.message : String(error),
    exitCode: exitCodeOf(error),
  };
}

/**
 * `special-agent: <message>` folded onto one line. Messages may quote what a gateway or a
 * device sent, so control characters are shown escaped, never sent to the terminal.
 */
export function failureLine(message: string): string {
  return `special-agent: ${printable(message.replace(/\s*\r?\n\s*/g, ' ').trim())}\n`;
}
