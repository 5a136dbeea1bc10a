/**
 * What the handshake reads of a paired device: the public record without its stamps
 * (`lastSeenAtMs`, `remoteIp`, tokens' `lastUsedAtMs`, which change on every connect),
 * frozen through, and shared by every handshake until the device's record changes. A
 * returning device's connect then copies nothing (bench/README.md, handshake limit).
 */
import { toPublicDevice } from './records.js';
import type { PairedDevice, StoredPairedDevice } from './types.js';

export class HandshakeViews {
  /** By committed record: a change commits a new record object, so a stale view misses. */
  readonly #views = new WeakMap<StoredPairedDevice, PairedDevice>();

  of(device: StoredPairedDevice): PairedDevice {
    let view = this.#views.get(device);
    if (view === undefined) {
      view = frozenWithoutStamps(device);
      this.#views.set(device, view);
    }
    return view;
  }
}

/** The public record of `device` without its stamps, frozen through (tokens and lists too). */
function frozenWithoutStamps(device: StoredPairedDevice): PairedDevice {
  const { lastSeenAtMs: _seen, remoteIp: _ip, tokens, ...rest } = toPublicDevice(device);
  const view: PairedDevice = {
    ...rest,
    tokens: tokens.map(({ lastUsedAtMs: _used, ...token }) => Object.freeze(token)),
  };
  Object.freeze(view.roles);
  Object.freeze(view.scopes);
  Object.freeze(view.tokens);
  return Object.freeze(view);
}
