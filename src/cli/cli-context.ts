/**
 * Everything a command needs from the outside world, injected so that commands never reach
 * for `process` themselves: environment, file locations, clock, terminal, keychain, opener.
 */
import { readFileSync } from 'node:fs';
import {
  keychainForHome,
  resolvePaths,
  systemClock,
  type AppPaths,
  type Clock,
  type SecretStore,
} from '../main/local/home.js';
import { openInBrowser } from './open-url.js';
import { readAllStdin } from './terminal.js';
import { EXIT } from '../shared/exit-codes.js';

/** The terminal as the commands see it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** All of stdin as UTF-8 (until EOF). */
  readStdin(): Promise<string>;
  /** True when stdin is a terminal a person types into. */
  readonly stdinIsTty: boolean;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Dependencies of every command. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  paths: AppPaths;
  clock: Clock;
  io: CliIo;
  /** The CLI's version (package.json), sent as `client.version`. */
  version: string;
  /** The OS keychain of this home (its own service), created on first use. */
  keychain(): SecretStore;
  /** Opens a URL with the platform's opener; rejects with a one-line reason. */
  openUrl(url: string): Promise<void>;
  /** Registers a Ctrl-C handler for the running command; returns its remover. */
  onInterrupt(handler: () => void): () => void;
  /** What the process exits with when the command returns normally. */
  exitCode: number;
}

/** The package version, read from package.json beside `src/` or `dist/`. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The real context of a `special-agent` process. */
export function createProcessContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  let keychain: SecretStore | undefined;
  const paths = resolvePaths(env);
  return {
    env,
    paths,
    clock: systemClock,
    io: {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      readStdin: () => readAllStdin(process.stdin),
      stdinIsTty: process.stdin.isTTY === true,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    },
    version: cliVersion(),
    keychain: () => (keychain ??= keychainForHome(paths.home)),
    openUrl: (url) => openInBrowser(url, { platform: process.platform }),
    onInterrupt(handler) {
      process.once('SIGINT', handler);
      return () => process.removeListener('SIGINT', handler);
    },
    exitCode: EXIT.ok,
  };
}
