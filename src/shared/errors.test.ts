import { describe, expect, it } from 'vitest';
import { GatewayError, invalidRequest } from './errors.js';

describe('GatewayError.toWire: what a client reads in res.error', () => {
  it('marks an error with a known wait as retryable, with the wait and the words for it', () => {
    const wire = GatewayError.of('AUTH_RATE_LIMITED', { retryAfterMs: 252_000 }).toWire();
    expect(wire).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 252_000,
      details: { code: 'AUTH_RATE_LIMITED' },
    });
    expect(wire.message).toContain('4 min 12 s');
  });

  it('says nothing about retrying an error the caller must fix first', () => {
    const wire = invalidRequest('path must be a string').toWire();
    expect(wire).toEqual({ code: 'INVALID_REQUEST', message: 'path must be a string' });
    expect(wire).not.toHaveProperty('retryable');
  });

  it('keeps the registered close code off the wire (it closes the socket instead)', () => {
    const error = GatewayError.of('AUTH_TOKEN_MISMATCH');
    expect(error.closeCode).toBe(1008);
    expect(Object.keys(error.toWire()).sort()).toEqual(['code', 'details', 'message']);
  });
});
