/** Small display formatters shared by the pages. */
import { formatAge as ageText } from '../../shared/format-age.js';

/** "just now", "5 min ago", "3 h ago", "2 d ago" (src/shared/format-age.ts, page style). */
export function formatAge(thenMs: number, nowMs: number): string {
  return ageText(nowMs - thenMs, 'page');
}

/** "42 s", "5 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "m:ss" for a countdown. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** A short, readable device id: the first 12 hex characters. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}
