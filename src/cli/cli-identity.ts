/**
 * The CLI's own device identity (`<home>/identity/cli-device.json`): an Ed25519 key pair
 * created on first use and kept as a JWK, file 0600 in a 0700 folder. A file that cannot be
 * read back is reported, never replaced: replacing it would silently make a new device.
 */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../main/local/config.js';
import type { Clock } from '../main/local/home.js';
import {
  exportDeviceKeys,
  generateDeviceKeys,
  identityFromKeyPair,
  importDeviceKeys,
  type DeviceIdentity,
  type DeviceKeyJwk,
} from '../shared/device-auth.js';
import { CliError } from './cli-error.js';

/** Mode of the identity file: it holds a private key. */
export const IDENTITY_FILE_MODE = 0o600;
/** Mode of the identity folder. */
export const IDENTITY_FOLDER_MODE = 0o700;

/** What `cli-device.json` holds. */
export interface CliIdentityFile {
  version: 1;
  deviceId: string;
  publicKey: string;
  privateKeyJwk: DeviceKeyJwk;
  createdAtMs: number;
}

/** Loads the CLI's identity, creating it on first use. */
export class CliIdentityStore {
  readonly #path: string;
  readonly #clock: Clock;
  readonly #subtle: SubtleCrypto;

  constructor(options: { path: string; clock: Clock; subtle?: SubtleCrypto }) {
    this.#path = options.path;
    this.#clock = options.clock;
    this.#subtle = options.subtle ?? crypto.subtle;
  }

  /** The stored identity, or a new one written to disk first. */
  async loadOrCreate(): Promise<DeviceIdentity> {
    const text = await readFile(this.#path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw this.#corrupt(`cannot read it: ${error.code ?? error.message}`);
    });
    return text === undefined ? this.#create() : this.#parse(text);
  }

  async #create(): Promise<DeviceIdentity> {
    const keys = await generateDeviceKeys(this.#subtle, true);
    const identity = await identityFromKeyPair(this.#subtle, keys);
    const file: CliIdentityFile = {
      version: 1,
      deviceId: identity.deviceId,
      publicKey: identity.publicKey,
      privateKeyJwk: await exportDeviceKeys(this.#subtle, keys),
      createdAtMs: this.#clock.now(),
    };
    const folder = dirname(this.#path);
    await mkdir(folder, { recursive: true, mode: IDENTITY_FOLDER_MODE });
    // mkdir leaves an existing folder's mode alone; this one holds a private key.
    await chmod(folder, IDENTITY_FOLDER_MODE);
    await writeFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`, {
      mode: IDENTITY_FILE_MODE,
    });
    return identity;
  }

  async #parse(text: string): Promise<DeviceIdentity> {
    let file: Partial<CliIdentityFile>;
    try {
      file = JSON.parse(text) as Partial<CliIdentityFile>;
    } catch {
      throw this.#corrupt('it is not valid JSON');
    }
    const jwk = file.privateKeyJwk;
    if (
      !jwk ||
      jwk.kty !== 'OKP' ||
      jwk.crv !== 'Ed25519' ||
      typeof jwk.x !== 'string' ||
      typeof jwk.d !== 'string'
    ) {
      throw this.#corrupt('it holds no Ed25519 private key');
    }
    let identity: DeviceIdentity;
    try {
      identity = await identityFromKeyPair(this.#subtle, await importDeviceKeys(this.#subtle, jwk));
    } catch {
      throw this.#corrupt('its key cannot be imported');
    }
    if (file.deviceId !== undefined && file.deviceId !== identity.deviceId) {
      throw this.#corrupt('its deviceId does not match its key');
    }
    return identity;
  }

  #corrupt(reason: string): CliError {
    return new CliError(
      `the CLI device identity ${this.#path} is unusable (${reason}); move it aside to create a new one ` +
        '(the gateway then sees a new device and pairs it again)',
    );
  }
}
