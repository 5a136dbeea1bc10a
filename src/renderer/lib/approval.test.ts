import { describe, expect, it } from 'vitest';
import { approveParams, grantOptions, impliedBy } from './approval.js';

describe('grantOptions', () => {
  it('offers the requested known scopes and the ones they imply, in a fixed order', () => {
    expect(grantOptions(['operator.write', 'operator.read'])).toEqual([
      'operator.read',
      'operator.write',
    ]);
    expect(grantOptions(['operator.admin'])).toEqual([
      'operator.read',
      'operator.write',
      'operator.pairing',
      'operator.admin',
    ]);
  });

  it('gives unknown scopes no checkbox', () => {
    expect(grantOptions(['operator.approvals', 'operator.read'])).toEqual(['operator.read']);
    expect(grantOptions([])).toEqual([]);
  });
});

describe('approveParams', () => {
  const request = { requestId: 'r1', scopes: ['operator.read', 'operator.write'] };

  it('sends the new name and only the ticked scopes', () => {
    expect(approveParams(request, '  Kitchen tablet ', new Set(['operator.read']))).toEqual({
      requestId: 'r1',
      displayName: 'Kitchen tablet',
      scopes: ['operator.read'],
    });
  });

  it('approves an untouched request with exactly the scopes it asked for', () => {
    const admin = { requestId: 'r2', scopes: ['operator.admin', 'operator.approvals'] };
    expect(approveParams(admin, 'Laptop', new Set(grantOptions(admin.scopes)))).toEqual({
      requestId: 'r2',
      displayName: 'Laptop',
      scopes: ['operator.admin', 'operator.approvals'],
    });
  });

  it('narrows an admin request to reading only', () => {
    const admin = { requestId: 'r3', scopes: ['operator.admin'] };
    expect(approveParams(admin, 'Phone', new Set(['operator.read'])).scopes).toEqual([
      'operator.read',
    ]);
  });

  it('counts a scope implied by a ticked one as granted, so admin alone is no narrowing', () => {
    const admin = { requestId: 'r5', scopes: ['operator.admin'] };
    expect(approveParams(admin, '', new Set(['operator.admin'])).scopes).toEqual([
      'operator.admin',
    ]);
    expect(impliedBy(new Set(['operator.admin']), 'operator.read')).toBe('operator.admin');
    expect(impliedBy(new Set(['operator.read']), 'operator.read')).toBe(undefined);
  });

  it('keeps the device’s own name when the field is blank', () => {
    expect(approveParams(request, '   ', new Set(request.scopes))).toEqual({
      requestId: 'r1',
      scopes: ['operator.read', 'operator.write'],
    });
  });

  it('sends no scopes for a request without known ones (the gateway keeps what it asked)', () => {
    expect(approveParams({ requestId: 'r4', scopes: [] }, 'X', new Set())).toEqual({
      requestId: 'r4',
      displayName: 'X',
    });
  });
});
