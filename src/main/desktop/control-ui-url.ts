/**
 * URLs the desktop opens in the Control UI window. The dashboard URL carries a one-time
 * invite in its fragment (`#invite=…`, never sent to a server); a deep link such as the
 * Devices page keeps it beside its route: `#/devices?request=ID&invite=…`.
 */

/** `dashboardUrl` with `route` (e.g. `/devices?request=abc`) merged into its fragment. */
export function controlUiUrl(dashboardUrl: string, route?: string): string {
  if (!route) return dashboardUrl;
  const url = new URL(dashboardUrl);
  const fragment = url.hash.slice(1);
  // The handover is either the whole fragment (`token=…`) or the query of a route in it.
  const handoverText = fragment.includes('?')
    ? fragment.slice(fragment.indexOf('?') + 1)
    : fragment.startsWith('/')
      ? ''
      : fragment;
  const handover = new URLSearchParams(handoverText);
  const [path = '/', query = ''] = route.split('?', 2);
  const params = new URLSearchParams(query);
  for (const [key, value] of handover) params.set(key, value);
  const search = params.toString();
  url.hash = `${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
  return url.toString();
}

/** The Devices page focused on one pairing request. */
export function devicesRoute(requestId: string): string {
  return `/devices?request=${encodeURIComponent(requestId)}`;
}
