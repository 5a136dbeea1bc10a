/**
 * Where the Control UI window may go. It stays on the gateway's origin; ordinary web
 * links open in the user's browser; every other scheme (file:, javascript:, data:,
 * custom protocols) is refused, because the window must never load anything but the UI.
 */

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isWeb(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/**
 * One rule for `window.open`/target=_blank links (setWindowOpenHandler) and for the
 * window's own navigations (will-navigate, will-redirect): same origin → allow, other
 * http(s) → open in the user's browser (never in our window), anything else → deny.
 */
export function decideNavigation(gatewayOrigin: string, url: string): NavigationDecision {
  const target = parse(url);
  const origin = parse(gatewayOrigin);
  if (!target || !origin) return 'deny';
  if (isWeb(target) && target.origin === origin.origin) return 'allow';
  return isWeb(target) ? 'open-external' : 'deny';
}

/** Origin of a gateway URL such as `http://127.0.0.1:18789/`. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Web permissions (camera, notifications, clipboard-read, …) requested by the page. The UI
 * needs one: writing to the clipboard (its Copy buttons; Electron asks for
 * `clipboard-sanitized-write`), for the gateway's own origin only. Every other is refused.
 */
export function decidePermission(
  permission: string,
  requesting: string,
  gatewayOrigin: string | undefined,
): boolean {
  if (permission !== 'clipboard-sanitized-write' || gatewayOrigin === undefined) return false;
  try {
    return new URL(requesting).origin === gatewayOrigin;
  } catch {
    return false;
  }
}
