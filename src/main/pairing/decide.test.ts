import { describe, expect, it } from 'vitest';
import { decidePairing, type PairingDecisionInput } from './decide.js';
import type { PairedDevice } from './types.js';

const readOnlyOperator: PairedDevice = {
  deviceId: 'd1',
  publicKey: 'k1',
  clientId: 'special-agent-cli',
  roles: ['operator'],
  scopes: ['operator.write', 'operator.pairing'],
  createdAtMs: 1,
  approvedAtMs: 1,
  approvedBy: 'operator',
  tokens: [],
};

const base: PairingDecisionInput = {
  paired: undefined,
  role: 'operator',
  scopes: ['operator.read'],
  isLocal: true,
  isBrowser: false,
  isOwnOrigin: false,
  autoApproveLocal: true,
};

describe('decidePairing', () => {
  it.each<[string, Partial<PairingDecisionInput>, ReturnType<typeof decidePairing>]>([
    ['new local CLI is paired silently', {}, { action: 'approve-silently' }],
    [
      'new local browser from the own origin is paired silently',
      { isBrowser: true, isOwnOrigin: true },
      { action: 'approve-silently' },
    ],
    [
      'new local browser from another origin waits for a person',
      { isBrowser: true, isOwnOrigin: false },
      { action: 'request', reason: 'not-paired' },
    ],
    [
      'new remote device waits for a person',
      { isLocal: false },
      { action: 'request', reason: 'not-paired' },
    ],
    [
      'new remote browser from the own origin still waits',
      { isLocal: false, isBrowser: true, isOwnOrigin: true },
      { action: 'request', reason: 'not-paired' },
    ],
    [
      'autoApproveLocal off: even local waits',
      { autoApproveLocal: false },
      { action: 'request', reason: 'not-paired' },
    ],
    [
      'paired device asking within its scopes is admitted',
      { paired: readOnlyOperator, scopes: ['operator.read', 'operator.write'] },
      { action: 'admit' },
    ],
    [
      'paired device asking for no scopes is admitted',
      { paired: readOnlyOperator, scopes: [] },
      { action: 'admit' },
    ],
    [
      'local scope upgrade waits for a person',
      { paired: readOnlyOperator, scopes: ['operator.admin'] },
      { action: 'request', reason: 'scope-upgrade' },
    ],
    [
      'unknown scope not approved before is an upgrade',
      { paired: readOnlyOperator, scopes: ['operator.approvals'] },
      { action: 'request', reason: 'scope-upgrade' },
    ],
    [
      'local role upgrade waits for a person',
      { paired: readOnlyOperator, role: 'node', scopes: [] },
      { action: 'request', reason: 'role-upgrade' },
    ],
    [
      'role and scope upgrade together is reported as a role upgrade',
      { paired: readOnlyOperator, role: 'node', scopes: ['operator.admin'] },
      { action: 'request', reason: 'role-upgrade' },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(decidePairing({ ...base, ...overrides })).toEqual(expected);
  });

  it('admits a paired device over any locality, browser or auto-approve setting', () => {
    for (const isLocal of [true, false]) {
      for (const isBrowser of [true, false]) {
        for (const autoApproveLocal of [true, false]) {
          const decision = decidePairing({
            ...base,
            paired: readOnlyOperator,
            isLocal,
            isBrowser,
            autoApproveLocal,
          });
          expect(decision).toEqual({ action: 'admit' });
        }
      }
    }
  });
});
