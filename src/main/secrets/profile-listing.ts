/**
 * The keychain's named auth profiles, kept between runs. Listing them is the one slow
 * keychain call (the Secret Service has no way to name accounts without a new connection
 * and a fetch of every value: about 6 ms, against 0.3–1 ms for reading one key), and every
 * `chat.send` needs the list. Values are never kept here: each run still reads every key,
 * so a rotated or deleted key counts at once. The listing is dropped when this process
 * changes a profile and when the CLI announces a keychain change (`<home>/state/
 * secrets-changed`). Only a profile added by some other tool (seahorse, secret-tool) can be
 * missing, until a refresh: in the background, started by a run that found the listing older
 * than `maxAgeMs`, or at once when a run needs it (AuthProfiles: a pinned profile not listed, or
 * no listed profile ready).
 */
import { DEFAULT_PROFILE } from '../../shared/config-schema.js';
import { providerProfileOfAccount } from '../../shared/secret-paths.js';
import type { SecretStore } from './keychain.js';

/** Named profiles (not `default`) by provider id, each list sorted. */
export type NamedProfiles = Map<string, string[]>;

/** Reads the named profiles off the keychain's account names; a store that cannot list holds none. */
export async function listNamedProfiles(
  store: Pick<SecretStore, 'listAccounts'>,
): Promise<NamedProfiles> {
  const byProvider: NamedProfiles = new Map();
  for (const account of (await store.listAccounts?.()) ?? []) {
    const found = providerProfileOfAccount(account);
    if (found === undefined || found.profile === DEFAULT_PROFILE) continue;
    byProvider.set(found.id, [...(byProvider.get(found.id) ?? []), found.profile].sort());
  }
  return byProvider;
}

/** How old a listing may be before the run that used it refreshes it in the background. */
export const PROFILE_LISTING_MAX_AGE_MS = 30_000;

export interface ProfileListingOptions {
  read: () => Promise<NamedProfiles>;
  maxAgeMs?: number;
  /** Milliseconds on a monotonic clock (tests move it). */
  now?: () => number;
}

export class ProfileListing {
  readonly #read: () => Promise<NamedProfiles>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** The last listing read, and when its read started. */
  #kept: { listing: NamedProfiles; atMs: number } | undefined;
  /** The read whose answer becomes the kept listing (a later read or a write replaces it). */
  #reading: Promise<NamedProfiles> | undefined;

  constructor(options: ProfileListingOptions) {
    this.#read = options.read;
    this.#maxAgeMs = options.maxAgeMs ?? PROFILE_LISTING_MAX_AGE_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The kept listing, read first when there is none; a refresh in flight is not waited for. */
  cached(): Promise<NamedProfiles> {
    if (this.#kept) return Promise.resolve(this.#kept.listing);
    // Runs that start together share the one read (a write since then cleared it).
    return this.#reading ?? this.fresh();
  }

  /** Reads the keychain now and keeps the answer for later runs. A failed read keeps nothing. */
  fresh(): Promise<NamedProfiles> {
    const atMs = this.#now();
    const reading: Promise<NamedProfiles> = this.#read().then(
      (listing) => {
        if (this.#reading === reading) {
          this.#kept = { listing, atMs };
          this.#reading = undefined;
        }
        return listing;
      },
      (error: unknown) => {
        if (this.#reading === reading) this.#reading = undefined;
        throw error;
      },
    );
    this.#reading = reading;
    return reading;
  }

  /** Starts a read in the background when the kept listing is older than `maxAgeMs`. */
  refreshIfStale(): void {
    const kept = this.#kept;
    if (!kept || this.#reading || this.#now() - kept.atMs <= this.#maxAgeMs) return;
    this.fresh().catch(() => undefined);
  }

  /**
   * A named profile changed: the next run lists them again, and a read still in flight (it
   * may predate the change) is not kept.
   */
  invalidate(): void {
    this.#kept = undefined;
    this.#reading = undefined;
  }
}
