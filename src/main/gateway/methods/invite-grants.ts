import { GatewayError } from '../../../shared/errors.js';
import { KNOWN_SCOPES, hasScope, type KnownScope } from '../../../shared/scopes.js';

/**
 * PROTOCOL.md "Scopes": no one grants what they do not hold. Throws FORBIDDEN/MISSING_SCOPE
 * naming the first scope of `granted` that `callerScopes` does not cover. Implication is
 * applied on both sides (`operator.admin` may grant anything, `operator.write` covers
 * `operator.read`); unknown scopes grant nothing, so anyone may pass them on.
 */
// TODO(merge): replace with grants.ts assertMayGrant
export function assertMayGrant(callerScopes: readonly string[], granted: readonly string[]): void {
  const missing = granted.find(
    (scope): scope is KnownScope =>
      (KNOWN_SCOPES as readonly string[]).includes(scope) &&
      !hasScope(callerScopes, scope as KnownScope),
  );
  if (missing === undefined) return;
  throw GatewayError.of('MISSING_SCOPE', {
    message: `missing scope: this would grant ${missing}, which this device does not hold (ask for fewer scopes, or do it from a device that holds ${missing})`,
    details: { requiredScope: missing },
  });
}
