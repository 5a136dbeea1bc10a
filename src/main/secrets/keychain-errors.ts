import { GatewayError } from '../../shared/errors.js';

/** Longest library reason quoted in a message; longer ones are cut, they are only a hint. */
export const MAX_REASON_LENGTH = 160;

const PREFIX = 'OS keychain unavailable';

const LINUX_NO_SERVICE =
  'no Secret Service on D-Bus (install and unlock gnome-keyring or KWallet, e.g. apt install gnome-keyring, then log in again)';
const LINUX_LOCKED =
  'the Secret Service keyring is locked or refused access (unlock the login keyring, e.g. log in again or open Passwords and Keys, then retry)';
const MACOS =
  'macOS Keychain access denied or locked (unlock the login keychain in Keychain Access and allow special-agent, then retry)';
const WINDOWS =
  'Windows Credential Manager refused access (open Control Panel > Credential Manager, check Windows Credentials, then retry)';

const UNSUPPORTED = (platform: string) =>
  `no supported OS keychain on ${platform} (use the secret's environment variable instead)`;

/** What went wrong, in the terms a fix depends on. */
type Failure = 'timeout' | 'locked' | 'other';

/** What the failed call was doing; a timeout says what was not done. */
export type KeychainOperation = 'get' | 'set' | 'delete' | 'list';

/**
 * Turns any keychain failure into `KEYCHAIN_UNAVAILABLE` with a one-line message naming the
 * platform's fix. The library's own reason is appended only when it cannot leak `secret`.
 */
export function keychainUnavailable(
  platform: NodeJS.Platform,
  cause: unknown,
  options: {
    timedOut: boolean;
    timeoutMs: number;
    operation?: KeychainOperation;
    secret?: string | undefined;
  },
): GatewayError {
  if (cause instanceof GatewayError && cause.details?.code === 'KEYCHAIN_UNAVAILABLE') return cause;
  const reason = options.timedOut ? undefined : safeReason(cause, options.secret);
  const failure: Failure = options.timedOut ? 'timeout' : classify(reason ?? '');
  const fix =
    failure === 'timeout'
      ? timeoutFix(platform, options.timeoutMs, options.operation)
      : platformFix(platform, failure);
  const message = `${PREFIX}: ${fix}${reason ? `; cause: ${reason}` : ''}`;
  return GatewayError.of('KEYCHAIN_UNAVAILABLE', {
    message,
    details: { backend: keychainBackend(platform), ...(reason ? { reason } : {}) },
  });
}

/** The name `status.keychain.backend` reports for a platform. */
export function keychainBackend(platform: NodeJS.Platform): string {
  if (platform === 'linux') return 'secret-service';
  if (platform === 'darwin') return 'macos-keychain';
  if (platform === 'win32') return 'windows-credential-manager';
  return 'unsupported';
}

function platformFix(platform: NodeJS.Platform, failure: Exclude<Failure, 'timeout'>): string {
  switch (platform) {
    case 'linux':
      return failure === 'locked' ? LINUX_LOCKED : LINUX_NO_SERVICE;
    case 'darwin':
      return MACOS;
    case 'win32':
      return WINDOWS;
    default:
      return UNSUPPORTED(platform);
  }
}

/** `the keychain did not answer within 5 s; <what to do>[; nothing was saved]`. */
function timeoutFix(
  platform: NodeJS.Platform,
  timeoutMs: number,
  operation: KeychainOperation | undefined,
): string {
  const late = `the keychain did not answer within ${formatDuration(timeoutMs)}`;
  const undone =
    operation === 'set'
      ? '; nothing was saved'
      : operation === 'delete'
        ? '; nothing was deleted'
        : '';
  switch (platform) {
    case 'linux':
      return `${late}; unlock it or restart gnome-keyring (or KWallet), then retry${undone}`;
    case 'darwin':
      return `${late}; unlock the login keychain in Keychain Access and allow special-agent, then retry${undone}`;
    case 'win32':
      return `${late}; check Windows Credentials in Control Panel > Credential Manager, then retry${undone}`;
    default:
      return UNSUPPORTED(platform);
  }
}

/** `300 ms` under a second, else `5 s`, `1.5 s`. */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function classify(reason: string): Failure {
  return /locked|prompt|dismiss|denied|not authori[sz]ed|no ?storage ?access|couldn't access/i.test(
    reason,
  )
    ? 'locked'
    : 'other';
}

/** First line of the library's message, cut short, or nothing if it contains the secret. */
function safeReason(cause: unknown, secret: string | undefined): string | undefined {
  const raw = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
  if (secret && raw.includes(secret)) return undefined;
  const firstLine = raw.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (!firstLine) return undefined;
  return firstLine.length > MAX_REASON_LENGTH
    ? `${firstLine.slice(0, MAX_REASON_LENGTH - 1)}…`
    : firstLine;
}
