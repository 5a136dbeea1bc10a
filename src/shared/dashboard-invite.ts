/**
 * The dashboard link (DESIGN.md "The dashboard link is an invite too"): `special-agent
 * dashboard` and the tray's "Open Control UI" / "Copy dashboard URL" mint a short admin
 * invite for one browser instead of putting the long-lived gateway token in a URL. One
 * place for what that invite is, so the CLI and the desktop app make the same one.
 */

/** What a dashboard invite grants, for how long, and how `devices invites` names it. */
export const DASHBOARD_INVITE = Object.freeze({
  role: 'operator',
  scopes: Object.freeze(['operator.admin'] as const),
  /** Long enough to open a browser, short enough that a copied link soon stops working. */
  ttlSeconds: 120,
  label: 'dashboard',
});

/**
 * `<origin>/#invite=<code>`: the code rides in the fragment, which a browser never sends
 * to a server, so it reaches no access log. `origin` is the address the caller itself
 * reached the gateway at (a trailing slash is fine).
 */
export function dashboardInviteUrl(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}/#invite=${encodeURIComponent(code)}`;
}
