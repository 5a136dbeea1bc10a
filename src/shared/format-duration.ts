/**
 * A wait in words for messages a person reads: "4 min 12 s", "42 s", "1 h 5 min". Shared by
 * the gateway (messages it builds) and the CLI, so a lockout reads the same everywhere.
 */

const SECOND_MS = 1000;

/**
 * How long until a retry can succeed, rounded up to the second (to the minute past an hour)
 * so "try again in …" is never early. Zero or less reads "a moment".
 */
export function formatRetry(ms: number): string {
  if (!(ms > 0)) return 'a moment';
  const seconds = Math.ceil(ms / SECOND_MS);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest === 0 ? '' : ` ${rest} s`}`;
  }
  const minutes = Math.ceil(seconds / 60);
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest === 0 ? '' : ` ${rest} min`}`;
}
