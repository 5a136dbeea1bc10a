/**
 * Hash routes of the Control UI: `#/devices?request=<id>`. Hash routing keeps every page
 * on the one `index.html` the gateway serves, and nothing after `#` reaches a server.
 */

export const PAGES = ['chat', 'devices', 'providers', 'agents', 'gateway'] as const;
export type PageId = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageId = 'chat';

export interface Route {
  page: PageId;
  params: URLSearchParams;
}

function isPage(value: string): value is PageId {
  return (PAGES as readonly string[]).includes(value);
}

/** Reads a location hash; anything unknown goes to the default page. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const queryAt = body.indexOf('?');
  const name = queryAt === -1 ? body : body.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : body.slice(queryAt + 1));
  return { page: isPage(name) ? name : DEFAULT_PAGE, params };
}

/** `#/page` with optional query parameters, for links. */
export function routeHref(page: PageId, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return `#/${page}${query ? `?${query}` : ''}`;
}
