/**
 * `<home>/state/auth-profiles.json` (0600): the cooldown and disabled state of every auth
 * profile, kept across restarts. App-owned; the gateway is its one writer. Holds no key,
 * only a salted hash prefix of a rejected one (to notice when it changes).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { PROFILE_NAME_PATTERN, PROVIDER_ID_PATTERN } from '../../shared/config-schema.js';
import { JsonStateFile, type StateFileSpec } from '../fs/json-state-file.js';
import type { Clock } from '../util/clock.js';
import { KEY_HASH_HEX_DIGITS, type ProfileRecord } from './profile-health.js';

/** The only format this code reads and writes. */
export const PROFILE_STATE_VERSION = 1;
/** Bytes of the random salt of the key hashes. */
const SALT_BYTES = 16;

const epochMs = z.number().int().nonnegative();
const recordSchema = z
  .object({
    lastUsedAtMs: epochMs.optional(),
    failures: z.number().int().nonnegative().optional(),
    cooldownUntilMs: epochMs.optional(),
    disabled: z
      .object({
        keyHash: z.string().regex(new RegExp(`^[0-9a-f]{${KEY_HASH_HEX_DIGITS}}$`)),
        reason: z.string().max(300),
        atMs: epochMs,
      })
      .strict()
      .optional(),
    lastError: z
      .object({ httpStatus: z.number().int().optional(), code: z.string().max(64), atMs: epochMs })
      .strict()
      .optional(),
  })
  .strict();

const stateSchema = z
  .object({
    version: z.literal(PROFILE_STATE_VERSION),
    keySalt: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    providers: z.record(
      z.string().regex(PROVIDER_ID_PATTERN),
      z.record(z.string().regex(PROFILE_NAME_PATTERN), recordSchema),
    ),
  })
  .strict();
type StateData = z.infer<typeof stateSchema>;

/** Where the state lives in a home's state folder. */
export function profileStatePath(stateDir: string): string {
  return join(stateDir, 'auth-profiles.json');
}

function specFor(path: string): StateFileSpec<StateData> {
  return {
    path,
    what: 'the auth profile state',
    freshStart: 'to start with every auth profile ready',
    version: PROFILE_STATE_VERSION,
    schema: stateSchema,
    empty: () => ({
      version: PROFILE_STATE_VERSION,
      keySalt: randomBytes(SALT_BYTES).toString('base64url'),
      providers: {},
    }),
  };
}

/**
 * The profile records in memory, saved whole after every change. Built by `open` (the
 * gateway: writes), `readOnly` (the CLI beside a running gateway: never saves) or `inMemory`.
 */
export class ProfileStateStore {
  readonly keySalt: string;
  readonly #records = new Map<string, ProfileRecord>();
  readonly #file: JsonStateFile<StateData> | undefined;
  readonly #onWriteFailed: (error: unknown) => void;

  private constructor(
    data: StateData,
    file: JsonStateFile<StateData> | undefined,
    onWriteFailed: (error: unknown) => void,
  ) {
    this.keySalt = data.keySalt;
    this.#file = file;
    this.#onWriteFailed = onWriteFailed;
    for (const [provider, profiles] of Object.entries(data.providers)) {
      for (const [profile, record] of Object.entries(profiles))
        this.#records.set(recordKey(provider, profile), record);
    }
  }

  /**
   * Loads the file for the gateway. Corrupt → moved aside and `StateFileCorruptError` (exit
   * 78). `onWriteFailed` hears a save that failed (full disk): the state then lives on in
   * memory and the next change tries again.
   */
  static async open(
    stateDir: string,
    deps: { clock: Clock; onWriteFailed?: (error: unknown) => void },
  ): Promise<ProfileStateStore> {
    const file = await JsonStateFile.open(specFor(profileStatePath(stateDir)), deps.clock);
    return new ProfileStateStore(file.data, file, deps.onWriteFailed ?? (() => undefined));
  }

  /** Reads the file as it is now, for showing only: changes are never saved. */
  static async readOnly(stateDir: string): Promise<ProfileStateStore> {
    const data = await JsonStateFile.read(specFor(profileStatePath(stateDir)));
    return new ProfileStateStore(data, undefined, () => undefined);
  }

  /** A store that is never saved (tests, and a gateway core without a home). */
  static inMemory(): ProfileStateStore {
    return new ProfileStateStore(specFor('').empty(), undefined, () => undefined);
  }

  get(provider: string, profile: string): ProfileRecord | undefined {
    return this.#records.get(recordKey(provider, profile));
  }

  /** Replaces a record and saves the whole state; resolves once it is durable (or failed). */
  async update(
    provider: string,
    profile: string,
    change: (record: ProfileRecord | undefined) => ProfileRecord,
  ): Promise<void> {
    const key = recordKey(provider, profile);
    this.#records.set(key, change(this.#records.get(key)));
    if (!this.#file) return;
    await this.#file.save(this.#snapshot()).catch(this.#onWriteFailed);
  }

  #snapshot(): StateData {
    // Null prototypes: an id such as `constructor` must be data here, never Object's own.
    const providers = Object.create(null) as StateData['providers'];
    for (const [key, record] of this.#records) {
      const [provider = '', profile = ''] = key.split(':');
      providers[provider] ??= Object.create(null) as Record<string, ProfileRecord>;
      providers[provider][profile] = record;
    }
    return { version: PROFILE_STATE_VERSION, keySalt: this.keySalt, providers };
  }
}

/** Neither a provider id nor a profile name can contain `:`, so the pair is unambiguous. */
function recordKey(provider: string, profile: string): string {
  return `${provider}:${profile}`;
}
