import { GatewayError } from '../../shared/errors.js';

/** Longest library reason quoted in a message; longer ones are cut, they are only a hint. */
export const MAX_REASON_LENGTH = 160;

const ENV_FALLBACK = "set the secret's environment variable, e.g. SPECIAL_AGENT_GATEWAY_TOKEN";

const LINUX_NO_SERVICE =
  'The OS keychain is not available: unlock it or start gnome-keyring or KWallet ' +
  '(not installed: apt install gnome-keyring; in a headless shell: dbus-run-session + ' +
  `gnome-keyring-daemon --unlock, or ${ENV_FALLBACK})`;
const LINUX_LOCKED =
  'The OS keychain is locked: unlock the login keyring (log in again, or open Passwords and Keys), then retry';
const MACOS =
  'The macOS Keychain is locked or denied access: unlock the login keychain in Keychain Access and allow special-agent, then retry';
const WINDOWS =
  'Windows Credential Manager refused access: open Control Panel > Credential Manager, check Windows Credentials, then retry';

const UNSUPPORTED = (platform: string) =>
  `There is no supported OS keychain on ${platform}: ${ENV_FALLBACK} instead`;

/** What the library's reason is called after the fix: the layer it comes from. */
const CAUSE_LABEL: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'D-Bus',
  darwin: 'Keychain',
  win32: 'Credential Manager',
};

/** What went wrong, in the terms a fix depends on. */
type Failure = 'timeout' | 'locked' | 'other';

/** What the failed call was doing; a failed write or delete says it did not happen. */
export type KeychainOperation = 'get' | 'set' | 'delete' | 'list';

/**
 * Turns any keychain failure into `KEYCHAIN_UNAVAILABLE` with a one-line message that leads
 * with the platform's fix in plain words, says what was not done, and ends with the
 * library's own reason — only when that cannot leak `secret`.
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
      ? timeoutFix(platform, options.timeoutMs)
      : platformFix(platform, failure);
  const undone =
    options.operation === 'set'
      ? '; nothing was saved'
      : options.operation === 'delete'
        ? '; nothing was deleted'
        : '';
  const label = CAUSE_LABEL[platform] ?? 'cause';
  const because = reason ? ` (${label}: ${withoutLibraryPrefix(reason)})` : '';
  return GatewayError.of('KEYCHAIN_UNAVAILABLE', {
    message: `${fix}${undone}.${because}`,
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

/** `The OS keychain did not answer within 5 s: <what to do>`. */
function timeoutFix(platform: NodeJS.Platform, timeoutMs: number): string {
  const late = `The OS keychain did not answer within ${formatDuration(timeoutMs)}`;
  switch (platform) {
    case 'linux':
      return `${late}: unlock it or restart gnome-keyring (or KWallet), then retry`;
    case 'darwin':
      return `${late}: unlock the login keychain in Keychain Access and allow special-agent, then retry`;
    case 'win32':
      return `${late}: check Windows Credentials in Control Panel > Credential Manager, then retry`;
    default:
      return UNSUPPORTED(platform);
  }
}

/** `Platform failure: DBus error: X` → `X`: the label before it already says where. */
function withoutLibraryPrefix(reason: string): string {
  return reason.replace(/^Platform failure:\s*/i, '').replace(/^D-?Bus error:\s*/i, '');
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
