/**
 * Constant-time secret comparison. Both sides are hashed first so the comparison takes
 * the same time whatever the lengths: `timingSafeEqual` alone throws on unequal lengths,
 * and an early length check would leak the secret's length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `a` and `b` are the same string; runs in time independent of where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
