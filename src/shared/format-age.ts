/**
 * How long ago something happened, in words: "just now", "5 min ago", "3 h ago". One
 * implementation for the three places that show an age, each in its own style:
 *
 * - `page` (Control UI): rounds to the nearest unit; under 45 s is "just now"; "2 d ago".
 * - `terminal` (CLI): whole units, seconds past the first five ("42 s ago"), "5 days ago",
 *   and a time ahead reads "in 4 min" (invite expiries, cooldowns).
 * - `menu` (tray): whole minutes at the finest, so a menu is stable within a minute; days
 *   after 24 h.
 *
 * A time ahead reads "just now" in every style but `terminal`.
 */

/** Where the age is shown; see the file comment. */
export type AgeStyle = 'page' | 'terminal' | 'menu';

interface StyleRules {
  round: (value: number) => number;
  /** Below this many seconds the age reads "just now". */
  justNowSeconds: number;
  /** Whether 5 to 59 s reads as seconds (else as "1 min"). */
  seconds: boolean;
  /** From this many hours the age reads in days. */
  daysFromHours: number;
  dayUnit: string;
  /** Whether a time ahead reads "in …" (else "just now"). */
  ahead: boolean;
}

const STYLES: Record<AgeStyle, StyleRules> = {
  page: {
    round: Math.round,
    justNowSeconds: 45,
    seconds: false,
    daysFromHours: 48,
    dayUnit: 'd',
    ahead: false,
  },
  terminal: {
    round: Math.floor,
    justNowSeconds: 5,
    seconds: true,
    daysFromHours: 48,
    dayUnit: 'days',
    ahead: true,
  },
  menu: {
    round: Math.floor,
    justNowSeconds: 60,
    seconds: false,
    daysFromHours: 24,
    dayUnit: 'd',
    ahead: false,
  },
};

/** `elapsedMs` (now minus then) in words, in the given style. */
export function formatAge(elapsedMs: number, style: AgeStyle): string {
  const rules = STYLES[style];
  const ahead = elapsedMs < 0 && rules.ahead;
  const span = humanSpan(ahead ? -elapsedMs : Math.max(0, elapsedMs), rules);
  if (span === undefined) return 'just now';
  return ahead ? `in ${span}` : `${span} ago`;
}

function humanSpan(ms: number, rules: StyleRules): string | undefined {
  const seconds = rules.round(ms / 1000);
  if (seconds < rules.justNowSeconds) return undefined;
  if (rules.seconds && seconds < 60) return `${seconds} s`;
  const minutes = rules.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = rules.round(minutes / 60);
  if (hours < rules.daysFromHours) return `${hours} h`;
  return `${rules.round(hours / 24)} ${rules.dayUnit}`;
}
