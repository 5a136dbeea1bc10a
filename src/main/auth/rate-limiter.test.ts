import { describe, expect, it } from 'vitest';
import { FAILED_AUTH_LIMITS, FailedAuthLimiter, type FailureTicket } from './rate-limiter.js';

function fixedClock(start = 1_700_000_000_000) {
  const clock = {
    time: start,
    now: () => clock.time,
    advance: (ms: number) => void (clock.time += ms),
  };
  return clock;
}

function fail(limiter: FailedAuthLimiter, key: string, times: number): void {
  for (let i = 0; i < times; i += 1) limiter.recordFailure(key);
}

describe('FailedAuthLimiter', () => {
  it('locks a key on the 10th failure within a minute, for five minutes', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, '203.0.113.7', 9);
    expect(limiter.check('203.0.113.7')).toEqual({ locked: false });
    expect(limiter.recordFailure('203.0.113.7')).toEqual({ locked: true, retryAfterMs: 300_000 });
    clock.advance(120_000);
    expect(limiter.check('203.0.113.7')).toEqual({ locked: true, retryAfterMs: 180_000 });
  });

  it('unlocks after the lockout with a clean slate', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'k', 10);
    clock.advance(299_999);
    expect(limiter.check('k')).toEqual({ locked: true, retryAfterMs: 1 });
    clock.advance(1);
    expect(limiter.check('k')).toEqual({ locked: false });
    expect(limiter.recordFailure('k')).toEqual({ locked: false });
  });

  it('does not extend a lockout when a locked client keeps trying', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'k', 10);
    clock.advance(100_000);
    fail(limiter, 'k', 50);
    expect(limiter.check('k')).toEqual({ locked: true, retryAfterMs: 200_000 });
  });

  it('does not add up failures that fall outside the window', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'k', 9);
    clock.advance(60_000);
    expect(limiter.recordFailure('k')).toEqual({ locked: false });
    fail(limiter, 'k', 8);
    expect(limiter.check('k')).toEqual({ locked: false });
    expect(limiter.recordFailure('k').locked).toBe(true);
  });

  it('slides the window instead of resetting it at fixed times', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'k', 5);
    clock.advance(40_000);
    fail(limiter, 'k', 4);
    clock.advance(30_000);
    // The first five are now older than 60 s; only four remain, plus this one.
    expect(limiter.recordFailure('k')).toEqual({ locked: false });
  });

  it('keeps keys apart and forgets everything on reset', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'http://evil.example', 10);
    expect(limiter.check('http://evil.example').locked).toBe(true);
    expect(limiter.check('198.51.100.1')).toEqual({ locked: false });
    limiter.reset();
    expect(limiter.check('http://evil.example')).toEqual({ locked: false });
  });

  it('honours custom limits and bounds its memory by evicting the least recent key that is not locked', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({
      clock,
      maxFailures: 2,
      windowMs: 1000,
      lockoutMs: 5000,
      maxKeys: 3,
    });
    fail(limiter, 'a', 2);
    expect(limiter.check('a')).toEqual({ locked: true, retryAfterMs: 5000 });
    for (const key of ['b', 'c', 'd']) limiter.recordFailure(key);
    expect(limiter.size).toBe(3);
    // Failures under other keys (other addresses of one attacker) never lift a lockout.
    expect(limiter.check('a'), 'the locked key after 3 other keys failed').toEqual({
      locked: true,
      retryAfterMs: 5000,
    });
    expect(limiter.recordFailure('b'), 'b, evicted: its one failure was forgotten').toEqual({
      locked: false,
    });
    expect(limiter.recordFailure('d')).toEqual({ locked: true, retryAfterMs: 5000 });
  });

  it('refuses nonsensical limits', () => {
    expect(() => new FailedAuthLimiter({ clock: fixedClock(), maxFailures: 0 })).toThrow(
      /maxFailures/,
    );
    expect(() => new FailedAuthLimiter({ clock: fixedClock(), windowMs: Number.NaN })).toThrow(
      /windowMs/,
    );
  });
});

describe('FailedAuthLimiter.reserve', () => {
  function held(limiter: FailedAuthLimiter, key: string, times: number): FailureTicket[] {
    const tickets: FailureTicket[] = [];
    for (let i = 0; i < times; i += 1) {
      const reservation = limiter.reserve(key);
      if (reservation.locked) throw new Error(`reservation ${i + 1} of ${times} was refused`);
      tickets.push(reservation.ticket);
    }
    return tickets;
  }

  it('refuses the 11th attempt while 10 are still being checked, before any is confirmed', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock() });
    held(limiter, 'k', 10);
    expect(limiter.reserve('k')).toEqual({
      locked: true,
      retryAfterMs: FAILED_AUTH_LIMITS.inFlightRetryMs,
    });
  });

  it('counts recorded failures and attempts in flight together', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock() });
    fail(limiter, 'k', 7);
    held(limiter, 'k', 3);
    expect(limiter.reserve('k').locked).toBe(true);
  });

  it('locks the key for the full lockout once the 10th reserved attempt is confirmed', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    const tickets = held(limiter, 'k', 10);
    for (const ticket of tickets.slice(0, 9)) expect(ticket.confirm()).toEqual({ locked: false });
    clock.advance(5);
    expect(tickets[9]?.confirm()).toEqual({ locked: true, retryAfterMs: 300_000 });
    expect(limiter.reserve('k')).toEqual({ locked: true, retryAfterMs: 300_000 });
  });

  it('gives a released slot back, so attempts with no wrong secret never lock a key', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock() });
    for (let round = 0; round < 5; round += 1) {
      for (const ticket of held(limiter, 'k', 10)) ticket.release();
    }
    expect(limiter.check('k')).toEqual({ locked: false });
    // A key with nothing recorded and nothing in flight is not remembered at all.
    expect(limiter.size).toBe(0);
  });

  it('settles a ticket once: a release after a confirm changes nothing', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock() });
    const [first] = held(limiter, 'k', 1);
    first?.confirm();
    first?.release();
    first?.confirm();
    // One failure recorded and no slot in flight: nine more reservations fit, not ten.
    held(limiter, 'k', 9);
    expect(limiter.reserve('k').locked).toBe(true);
  });

  it('records every wrong secret of one attempt as a failure', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock() });
    fail(limiter, 'k', 8);
    const [ticket] = held(limiter, 'k', 1);
    expect(ticket?.confirm(2)).toEqual({ locked: true, retryAfterMs: 300_000 });
  });

  it('does not extend a lockout when an attempt reserved before it is confirmed after it', () => {
    const clock = fixedClock();
    const limiter = new FailedAuthLimiter({ clock });
    fail(limiter, 'k', 8);
    const [first, second] = held(limiter, 'k', 2);
    expect(first?.confirm(2)).toEqual({ locked: true, retryAfterMs: 300_000 });
    clock.advance(100_000);
    expect(second?.confirm()).toEqual({ locked: true, retryAfterMs: 200_000 });
    expect(limiter.check('k')).toEqual({ locked: true, retryAfterMs: 200_000 });
  });

  it('never evicts a key with attempts in flight, so flooding other keys frees no slots', () => {
    const limiter = new FailedAuthLimiter({ clock: fixedClock(), maxFailures: 2, maxKeys: 2 });
    held(limiter, 'k', 2);
    for (const other of ['a', 'b', 'c', 'd']) limiter.recordFailure(other);
    expect(limiter.reserve('k').locked).toBe(true);
  });
});
