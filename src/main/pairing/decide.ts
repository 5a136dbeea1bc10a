import { scopesCover } from '../../shared/scopes.js';
import type { PairedDevice, PairingReason } from './types.js';

/** What the handshake knows when it reaches the pairing step (PROTOCOL.md step 5). */
export interface PairingDecisionInput {
  /** The device's paired record, if it has one. */
  paired: PairedDevice | undefined;
  role: string;
  scopes: readonly string[];
  /** The connection is local (DESIGN.md "Auth and locality"). */
  isLocal: boolean;
  /** The upgrade carried an `Origin` header. */
  isBrowser: boolean;
  /** That `Origin` is one of the gateway's own origins. */
  isOwnOrigin: boolean;
  /** Config `gateway.pairing.autoApproveLocal`. */
  autoApproveLocal: boolean;
}

/** The outcome of the pairing step. */
export type PairingDecision =
  | { action: 'admit' }
  | { action: 'approve-silently' }
  | { action: 'request'; reason: PairingReason };

/**
 * Decides whether a device that passed identity and shared auth may in, may be paired
 * silently, or must wait for a person. Only first pairings are ever silent: a role or
 * scope upgrade widens what a known device may do, so a person always confirms it.
 */
export function decidePairing(input: PairingDecisionInput): PairingDecision {
  const { paired } = input;
  if (paired === undefined) {
    return maySkipPerson(input)
      ? { action: 'approve-silently' }
      : { action: 'request', reason: 'not-paired' };
  }
  if (!paired.roles.includes(input.role)) return { action: 'request', reason: 'role-upgrade' };
  if (!scopesCover(paired.scopes, input.scopes))
    return { action: 'request', reason: 'scope-upgrade' };
  return { action: 'admit' };
}

function maySkipPerson(input: PairingDecisionInput): boolean {
  // A web page on another origin could drive a local browser; only our own UI counts.
  const browserOk = !input.isBrowser || input.isOwnOrigin;
  return input.autoApproveLocal && input.isLocal && browserOk;
}
