import { describe, expect, it } from 'vitest';
import { ProfileListing, type NamedProfiles } from './profile-listing.js';

/** A listing whose reads the test answers one by one, on a clock it moves. */
function controlled(maxAgeMs = 1000) {
  const reads: { resolve: (value: NamedProfiles) => void; reject: (error: Error) => void }[] = [];
  const clock = { ms: 0 };
  const listing = new ProfileListing({
    read: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
    maxAgeMs,
    now: () => clock.ms,
  });
  return { listing, reads, clock };
}

const of = (names: string[]): NamedProfiles => new Map([['cloud', names]]);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ProfileListing', () => {
  it('refreshes an old listing in the background, answering from the kept one meanwhile', async () => {
    const { listing, reads, clock } = controlled();
    const first = listing.cached();
    reads[0]!.resolve(of(['a']));
    expect(await first).toEqual(of(['a']));

    clock.ms = 500;
    listing.refreshIfStale();
    expect(reads).toHaveLength(1);

    clock.ms = 1500;
    listing.refreshIfStale();
    listing.refreshIfStale();
    expect(reads).toHaveLength(2);
    expect(await listing.cached()).toEqual(of(['a']));
    reads[1]!.resolve(of(['a', 'b']));
    await settle();
    expect(await listing.cached()).toEqual(of(['a', 'b']));
  });

  it('keeps no failed read: the next run asks the keychain again', async () => {
    const { listing, reads } = controlled();
    const failed = listing.cached();
    reads[0]!.reject(new Error('keychain locked'));
    await expect(failed).rejects.toThrow('keychain locked');
    const again = listing.cached();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(of(['a']));
    expect(await again).toEqual(of(['a']));
  });

  it('drops the kept listing and a read in flight when this process changes a profile', async () => {
    const { listing, reads } = controlled();
    const first = listing.cached();
    reads[0]!.resolve(of(['a']));
    await first;
    const inFlight = listing.fresh();
    listing.invalidate();
    reads[1]!.resolve(of(['a']));
    await inFlight;
    const next = listing.cached();
    expect(reads).toHaveLength(3);
    reads[2]!.resolve(of(['a', 'added']));
    expect(await next).toEqual(of(['a', 'added']));
  });

  it('lets runs that start together share one read', async () => {
    const { listing, reads } = controlled();
    const together = [listing.cached(), listing.cached(), listing.cached()];
    expect(reads).toHaveLength(1);
    reads[0]!.resolve(of(['a']));
    expect(await Promise.all(together)).toEqual([of(['a']), of(['a']), of(['a'])]);
  });
});
