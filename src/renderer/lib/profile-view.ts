/**
 * How the Providers page shows an auth profile (`models.auth.list`): its state chip, its
 * last error, and the order change behind "Move up" / "Move down".
 */
import type { AuthProfile } from '../../shared/protocol.js';
import { formatAge } from './format.js';

export type ProfileTone = 'ok' | 'warn' | 'danger';

/** "ready", "cooldown until 14:05", "disabled: key rejected". */
export function profileChip(
  profile: Pick<AuthProfile, 'state' | 'cooldownUntilMs'>,
  formatTime: (ms: number) => string,
): { label: string; tone: ProfileTone } {
  switch (profile.state) {
    case 'ready':
      return { label: 'ready', tone: 'ok' };
    case 'cooldown':
      return {
        label:
          profile.cooldownUntilMs === undefined
            ? 'cooldown'
            : `cooldown until ${formatTime(profile.cooldownUntilMs)}`,
        tone: 'warn',
      };
    case 'disabled':
      return { label: 'disabled: key rejected', tone: 'danger' };
  }
}

/** "last error HTTP 401 (PROVIDER_REJECTED_KEY) 3 min ago", or undefined without one. */
export function lastErrorText(
  profile: Pick<AuthProfile, 'lastError'>,
  nowMs: number,
): string | undefined {
  const error = profile.lastError;
  if (!error) return undefined;
  const what =
    error.httpStatus === undefined ? error.code : `HTTP ${error.httpStatus} (${error.code})`;
  return `last error ${what} ${formatAge(error.atMs, nowMs)}`;
}

/** "last used 5 min ago" or "never used". */
export function lastUsedText(profile: Pick<AuthProfile, 'lastUsedAtMs'>, nowMs: number): string {
  return profile.lastUsedAtMs === undefined
    ? 'never used'
    : `last used ${formatAge(profile.lastUsedAtMs, nowMs)}`;
}

/**
 * The profile names in try order after moving `name` one place (`-1` up, `1` down);
 * the same order when it cannot move that way.
 */
export function moveProfile(order: readonly string[], name: string, step: -1 | 1): string[] {
  const from = order.indexOf(name);
  const to = from + step;
  if (from === -1 || to < 0 || to >= order.length) return [...order];
  const next = [...order];
  next[from] = order[to] as string;
  next[to] = name;
  return next;
}
