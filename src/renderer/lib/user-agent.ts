/**
 * A short, human name for this browser in the gateway's device list, e.g. "Chrome on
 * Linux", so two browsers of one person can be told apart. Parsed minimally from
 * `navigator.userAgentData` (Chromium) or the user-agent string: it is a label for a
 * person, never used for any decision.
 */

/** `navigator.userAgentData` where the browser has it (not in the DOM typings yet). */
export interface UserAgentData {
  brands?: readonly { brand: string }[];
  platform?: string;
}

/** What the label is made from; `navigator` fits. */
export interface NavigatorLike {
  userAgent: string;
  userAgentData?: UserAgentData | undefined;
}

/** Brand names of userAgentData, most specific first ("Chromium" is every Chromium). */
const BRANDS: readonly [RegExp, string][] = [
  [/^Microsoft Edge$/, 'Edge'],
  [/^Opera/, 'Opera'],
  [/^Brave$/, 'Brave'],
  [/^Google Chrome$/, 'Chrome'],
  [/^(?:Headless)?Chrom(?:e|ium)$/, 'Chrome'],
];

/** User-agent tokens, in the order that tells them apart (Edge and Opera also say Chrome). */
const AGENTS: readonly [RegExp, string][] = [
  [/\bElectron\//, 'Desktop app'],
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:Chrome|Chromium|CriOS|HeadlessChrome)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

/** Operating systems; the mobile ones first (Android says Linux, iOS says Mac OS X). */
const SYSTEMS: readonly [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** userAgentData.platform values, spelled the way the label spells them. */
const PLATFORMS: Record<string, string> = {
  'Chrome OS': 'ChromeOS',
  ChromeOS: 'ChromeOS',
  macOS: 'macOS',
  Windows: 'Windows',
  Linux: 'Linux',
  Android: 'Android',
  iOS: 'iOS',
};

function firstMatch(table: readonly [RegExp, string][], text: string): string | undefined {
  return table.find(([pattern]) => pattern.test(text))?.[1];
}

function browserOf(nav: NavigatorLike): string {
  // Electron's userAgentData says Chromium; only the string names Electron.
  if (/\bElectron\//.test(nav.userAgent)) return 'Desktop app';
  for (const [pattern, name] of BRANDS) {
    if (nav.userAgentData?.brands?.some((entry) => pattern.test(entry.brand))) return name;
  }
  return firstMatch(AGENTS, nav.userAgent) ?? 'Browser';
}

function systemOf(nav: NavigatorLike): string | undefined {
  const platform = nav.userAgentData?.platform;
  if (platform && PLATFORMS[platform]) return PLATFORMS[platform];
  return firstMatch(SYSTEMS, nav.userAgent);
}

/** "Chrome on Linux", "Safari on iOS", "Firefox" (unknown system), "Browser on Windows". */
export function browserLabel(nav: NavigatorLike): string {
  const browser = browserOf(nav);
  const system = systemOf(nav);
  return system ? `${browser} on ${system}` : browser;
}
