/**
 * Ignored devices (DESIGN.md "Ignore and name", Syncthing's "ignore device"): a person
 * rejected a request and asked not to hear from that device again. Its later connects are
 * refused like a pending one, with no new request and no event, until it is unignored.
 * Pure functions on the store data; {@link PairingService} runs them in its transactions.
 */
import { notFound } from '../../shared/errors.js';
import type { PairingState } from './pairing-state.js';
import { resolution, takePending } from './records.js';
import type {
  IgnoredDevice,
  IgnoredDeviceInfo,
  PairingResolvedEvent,
  PairingStoreData,
  PendingRequest,
} from './types.js';

/** The ignore marks of {@link PairingService}, changed through its transactions. */
export class IgnoreList {
  readonly #state: PairingState;
  readonly #onResolved: (event: PairingResolvedEvent) => void;

  constructor(state: PairingState, onResolved: (event: PairingResolvedEvent) => void) {
    this.#state = state;
    this.#onResolved = onResolved;
  }

  /** Rejects a pending request and ignores its device's later requests. */
  ignore(requestId: string): Promise<{ requestId: string; deviceId: string }> {
    return this.#state.mutate((tx) => {
      const request = takePending(tx.draft, requestId);
      markIgnored(tx.draft, request, tx.now);
      tx.announce(() => this.#onResolved(resolution(request, 'ignored', tx.now)));
      return { requestId, deviceId: request.deviceId };
    });
  }

  /** Lets an ignored device ask to pair again; NOT_FOUND when it is not ignored. */
  unignore(deviceId: string): Promise<{ deviceId: string }> {
    return this.#state.mutate((tx) => {
      takeIgnored(tx.draft, deviceId);
      return { deviceId };
    });
  }

  /** The id of the ignored request of `deviceId` while it is ignored, else undefined. */
  requestIdOf(deviceId: string): string | undefined {
    const { ignored } = this.#state.current;
    return Object.hasOwn(ignored, deviceId) ? ignored[deviceId]?.requestId : undefined;
  }

  /** Ignored devices, earliest first. */
  list(): IgnoredDeviceInfo[] {
    return Object.values(this.#state.current.ignored)
      .sort((a, b) => a.ignoredAtMs - b.ignoredAtMs)
      .map(toIgnoredInfo);
  }
}

/** Marks the device of `request` (already taken out of `pending`) as ignored. */
export function markIgnored(
  data: PairingStoreData,
  request: PendingRequest,
  now: number,
): IgnoredDevice {
  const ignored: IgnoredDevice = {
    deviceId: request.deviceId,
    ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
    ignoredAtMs: now,
    requestId: request.requestId,
  };
  data.ignored[request.deviceId] = ignored;
  return ignored;
}

/** Removes the ignore mark of `deviceId`, or throws NOT_FOUND naming the CLI to list them. */
export function takeIgnored(data: PairingStoreData, deviceId: string): IgnoredDevice {
  const ignored = Object.hasOwn(data.ignored, deviceId) ? data.ignored[deviceId] : undefined;
  if (ignored === undefined) {
    throw notFound(
      `device ${deviceId} is not ignored (run \`special-agent devices list --json\` to see ignored devices)`,
    );
  }
  delete data.ignored[deviceId];
  return ignored;
}

/** The public view of an ignored device (no request id). */
export function toIgnoredInfo(ignored: IgnoredDevice): IgnoredDeviceInfo {
  const { requestId: _requestId, ...info } = ignored;
  return { ...info };
}
