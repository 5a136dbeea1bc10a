/**
 * The approval form of a pairing request: which scopes a person may tick, and the
 * `device.pair.approve` params for what they chose (PROTOCOL.md: `scopes` may only narrow
 * the request, and the caller must hold every scope it grants).
 */
import type { KnownScope } from '../../shared/scopes.js';
import { hasScope, KNOWN_SCOPES, scopesCover } from '../../shared/scopes.js';

/**
 * The known scopes a request covers, implied ones included, in the gateway's order: a
 * request for `operator.admin` offers read, write, pairing and admin, so a person can
 * approve it for reading only. Unknown scopes grant nothing and get no checkbox.
 */
export function grantOptions(requested: readonly string[]): KnownScope[] {
  return KNOWN_SCOPES.filter((scope) => scopesCover(requested, [scope]));
}

/**
 * The ticked scope, other than `scope` itself, that already grants `scope` (admin grants
 * read), so its checkbox shows ticked and locked: unticking it alone would change nothing.
 */
export function impliedBy(chosen: ReadonlySet<string>, scope: KnownScope): string | undefined {
  return [...chosen].find((other) => other !== scope && hasScope([other], scope));
}

/** `device.pair.approve` params. */
export interface ApproveParams {
  requestId: string;
  displayName?: string;
  scopes?: string[];
}

/**
 * The params for approving `request` as `name` with the ticked `chosen` scopes. All
 * options granted (ticked or implied by a ticked one) sends the request's own scopes (unknown ones included), so approving
 * unchanged records exactly what was asked for; fewer sends only the ticked ones. A
 * blank name keeps the device's own.
 */
export function approveParams(
  request: { requestId: string; scopes: readonly string[] },
  name: string,
  chosen: ReadonlySet<string>,
): ApproveParams {
  const options = grantOptions(request.scopes);
  const trimmed = name.trim();
  const granted = options.filter((scope) => chosen.has(scope) || impliedBy(chosen, scope));
  const narrowed = granted.length < options.length;
  const scopes = narrowed ? granted : [...request.scopes];
  return {
    requestId: request.requestId,
    ...(trimmed ? { displayName: trimmed } : {}),
    ...(options.length > 0 ? { scopes } : {}),
  };
}
