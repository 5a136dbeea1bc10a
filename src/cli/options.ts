/** Options shared by many commands, declared once so their wording stays the same. */
import { InvalidArgumentError, type Command } from 'commander';

/** Adds `--json`. */
export function withJson(command: Command): Command {
  return command.option(
    '--json',
    'print machine-readable JSON (for gateway-backed commands: the method payload)',
  );
}

/** Adds `--url <url>` (the gateway's WebSocket URL) and `--tls-fingerprint <sha256>`. */
export function withUrl(command: Command): Command {
  return command
    .option(
      '--url <url>',
      'gateway URL (default: SPECIAL_AGENT_GATEWAY_URL, then ws://127.0.0.1:<gateway.port>, wss:// with gateway.tls)',
    )
    .option(
      '--tls-fingerprint <sha256>',
      "for a wss:// URL: the gateway certificate's SHA-256 fingerprint (gateway status shows it); remembered per URL, and replaces a remembered one (default: SPECIAL_AGENT_GATEWAY_TLS_FINGERPRINT)",
    );
}

/** Commander parser for a TCP port (0 = any free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}

/** Options every command may receive. */
export interface JsonOption {
  json?: boolean;
}
/** Options of commands that talk to the gateway. */
export interface UrlOption extends JsonOption {
  url?: string;
  tlsFingerprint?: string;
}
