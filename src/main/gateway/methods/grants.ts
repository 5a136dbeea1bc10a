import { GatewayError } from '../../../shared/errors.js';
import { firstUngrantableScope } from '../../../shared/scopes.js';

/** The methods that hand out scopes; each names itself in the refusal. */
export type GrantingAction = 'approve' | 'invite';

const WORDING: Record<GrantingAction, { doing: string; remedy: string }> = {
  approve: {
    doing: 'approving this request',
    remedy: 'approve it from an admin device, or approve only scopes this device holds',
  },
  invite: {
    doing: 'creating this invite',
    remedy: 'create it from an admin device, or invite with only scopes this device holds',
  },
};

/**
 * The one check every granting method runs (PROTOCOL.md "Scopes": no one grants what they
 * do not hold): throws `FORBIDDEN`/`MISSING_SCOPE` with the first scope of `granted` that
 * `callerScopes` does not hold, after implication, as `details.requiredScope`. Without it a
 * pairing-only device could approve an admin request from a second key pair it controls.
 */
export function assertMayGrant(
  callerScopes: readonly string[],
  granted: readonly string[],
  action: GrantingAction,
): void {
  const missing = firstUngrantableScope(callerScopes, granted);
  if (missing === undefined) return;
  const { doing, remedy } = WORDING[action];
  throw GatewayError.of('MISSING_SCOPE', {
    message: `missing scope: ${doing} grants ${missing}, which this device does not hold (${remedy})`,
    details: { requiredScope: missing },
  });
}
