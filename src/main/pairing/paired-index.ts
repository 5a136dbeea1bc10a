/**
 * Paired devices in list order (earliest approval first, then device id), kept sorted as
 * devices are paired, re-approved and removed, so a page of `device.pair.list` costs the
 * page, not a sort of every device.
 */
import { invalidRequest } from '../../shared/errors.js';
import type { StoredPairedDevice } from './types.js';

/** A position in list order. */
export interface ListPosition {
  approvedAtMs: number;
  deviceId: string;
}

function compare(a: ListPosition, b: ListPosition): number {
  if (a.approvedAtMs !== b.approvedAtMs) return a.approvedAtMs - b.approvedAtMs;
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0;
}

function positionOf(device: StoredPairedDevice): ListPosition {
  return { approvedAtMs: device.approvedAtMs, deviceId: device.deviceId };
}

/** The sorted positions of every paired device. */
export class PairedIndex {
  readonly #sorted: ListPosition[];

  private constructor(sorted: ListPosition[]) {
    this.#sorted = sorted;
  }

  /** Sorts `devices` once. */
  static of(devices: Iterable<StoredPairedDevice>): PairedIndex {
    return new PairedIndex([...devices].map(positionOf).sort(compare));
  }

  /** Records that `before` became `after` (either may be undefined: paired or removed). */
  update(before: StoredPairedDevice | undefined, after: StoredPairedDevice | undefined): void {
    if (before !== undefined) {
      const at = this.#firstAtOrAfter(positionOf(before));
      if (compare(this.#sorted[at] ?? positionOf(before), positionOf(before)) === 0)
        this.#sorted.splice(at, 1);
    }
    if (after !== undefined) {
      const position = positionOf(after);
      this.#sorted.splice(this.#firstAtOrAfter(position), 0, position);
    }
  }

  /** Up to `limit` device ids strictly after `after` (from the start without it), and whether more follow. */
  page(after: ListPosition | undefined, limit: number): { deviceIds: string[]; more: boolean } {
    let start = 0;
    if (after !== undefined) {
      start = this.#firstAtOrAfter(after);
      const found = this.#sorted[start];
      if (found !== undefined && compare(found, after) === 0) start += 1;
    }
    const slice = this.#sorted.slice(start, start + limit);
    return {
      deviceIds: slice.map((position) => position.deviceId),
      more: start + limit < this.#sorted.length,
    };
  }

  #firstAtOrAfter(position: ListPosition): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.#sorted[mid] as ListPosition, position) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** The opaque `nextCursor` of a page that ended at `last`. */
export function encodeCursor(last: ListPosition): string {
  return Buffer.from(`${last.approvedAtMs}:${last.deviceId}`, 'utf8').toString('base64url');
}

/** The position a cursor names; INVALID_REQUEST for anything `encodeCursor` did not make. */
export function decodeCursor(cursor: string): ListPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  if (match === null || Buffer.from(text, 'utf8').toString('base64url') !== cursor) {
    throw invalidRequest(
      'cursor is not one device.pair.list returned (pass the nextCursor of the previous page, or no cursor for the first page)',
    );
  }
  return { approvedAtMs: Number(match[1]), deviceId: match[2] as string };
}
