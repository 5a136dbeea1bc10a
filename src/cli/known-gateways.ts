/**
 * The certificate pins of the gateways this CLI has talked to over `wss://`
 * (`<home>/identity/known-gateways.json`, 0600; DESIGN.md "Remote devices", "Pinning"),
 * SSH's known_hosts for the gateway. A file that cannot be read back is reported, never
 * replaced: rewriting it would forget every pin without anyone noticing.
 */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../main/local/config.js';
import type { AppPaths, Clock } from '../main/local/home.js';
import { normalizeFingerprint } from '../main/local/tls.js';
import { EXIT } from '../shared/exit-codes.js';
import { CliError } from './cli-error.js';
import { IDENTITY_FILE_MODE, IDENTITY_FOLDER_MODE } from './cli-identity.js';

/** The file's name in `<home>/identity/`. */
export const KNOWN_GATEWAYS_FILE = 'known-gateways.json';

/** One remembered gateway. */
export interface KnownGateway {
  /** Canonical `AB:CD:…`. */
  fingerprintSha256: string;
  pinnedAtMs: number;
}

/** What `known-gateways.json` holds; keys are {@link gatewayKey}s. */
export interface KnownGatewaysFile {
  version: 1;
  gateways: Record<string, KnownGateway>;
}

/** `<home>/identity/known-gateways.json`. */
export function knownGatewaysPath(paths: Pick<AppPaths, 'identityDir'>): string {
  return join(paths.identityDir, KNOWN_GATEWAYS_FILE);
}

/**
 * The key a pin is remembered under: `wss://host:port` (host lower-case, no path), so
 * `wss://GW:1/` and `wss://gw:1/ws` share one pin: they are one server.
 */
export function gatewayKey(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** A record whose keys come from a file: a `__proto__` key must stay a plain key. */
function noPrototype(): Record<string, KnownGateway> {
  return Object.create(null) as Record<string, KnownGateway>;
}

/** Reads and records pins; every call reads the file afresh (another CLI may have written it). */
export class KnownGateways {
  readonly #path: string;
  readonly #clock: Clock;

  constructor(options: { path: string; clock: Clock }) {
    this.#path = options.path;
    this.#clock = options.clock;
  }

  get path(): string {
    return this.#path;
  }

  /** The pinned fingerprint for the gateway at `url`, or undefined. */
  async pinFor(url: string): Promise<string | undefined> {
    const file = await this.#read();
    const key = gatewayKey(url);
    return Object.hasOwn(file.gateways, key) ? file.gateways[key]?.fingerprintSha256 : undefined;
  }

  /** Pins `fingerprint` for `url`; returns the pin it replaced, if it was a different one. */
  async remember(url: string, fingerprint: string): Promise<{ replaced?: string }> {
    const pin = normalizeFingerprint(fingerprint);
    if (pin === undefined) throw new TypeError(`not a SHA-256 fingerprint: ${fingerprint}`);
    const file = await this.#read();
    const key = gatewayKey(url);
    const previous = Object.hasOwn(file.gateways, key) ? file.gateways[key] : undefined;
    if (previous?.fingerprintSha256 === pin) return {};
    file.gateways[key] = { fingerprintSha256: pin, pinnedAtMs: this.#clock.now() };
    const folder = dirname(this.#path);
    await mkdir(folder, { recursive: true, mode: IDENTITY_FOLDER_MODE });
    await chmod(folder, IDENTITY_FOLDER_MODE);
    await writeFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`, {
      mode: IDENTITY_FILE_MODE,
    });
    return previous ? { replaced: previous.fingerprintSha256 } : {};
  }

  async #read(): Promise<KnownGatewaysFile> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { version: 1, gateways: noPrototype() };
      throw this.#unusable(`cannot read it: ${code ?? String(error)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.#unusable('it is not valid JSON');
    }
    return this.#check(parsed);
  }

  #check(parsed: unknown): KnownGatewaysFile {
    const file = parsed as Partial<KnownGatewaysFile> | null;
    if (file === null || typeof file !== 'object' || file.version !== 1) {
      throw this.#unusable('it is not a version 1 known-gateways file');
    }
    const entries = file.gateways;
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      throw this.#unusable('it has no "gateways" object');
    }
    const gateways = noPrototype();
    for (const [key, entry] of Object.entries(entries as Record<string, unknown>)) {
      const { fingerprintSha256, pinnedAtMs } = (entry ?? {}) as Partial<KnownGateway>;
      const pin =
        typeof fingerprintSha256 === 'string' ? normalizeFingerprint(fingerprintSha256) : undefined;
      if (pin === undefined || typeof pinnedAtMs !== 'number') {
        throw this.#unusable(`its entry for ${JSON.stringify(key)} has no valid fingerprint`);
      }
      gateways[key] = { fingerprintSha256: pin, pinnedAtMs };
    }
    return { version: 1, gateways };
  }

  #unusable(reason: string): CliError {
    return new CliError(
      `the pinned gateway certificates file ${this.#path} is unusable (${reason}); fix it, or move it ` +
        'aside and pin each gateway again with --tls-fingerprint',
      EXIT.config,
    );
  }
}
