/**
 * Requests a client sends right behind its `connect`, before `hello-ok` came back. They
 * wait, and are handled in order once the connection is admitted, or dropped with it when
 * the connect is refused, so the client always gets its connect's answer first (PROTOCOL.md
 * "Close codes"). Closing on them instead left a valid connect unanswered. What waits is
 * bounded like one pre-auth frame: `preauthMaxPayload` bytes in all.
 */
import type { RawData } from 'ws';

export class EarlyFrames {
  readonly #maxBytes: number;
  #frames: RawData[] = [];
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Holds `data`; false (and holds nothing more) when it would pass the bound. */
  hold(data: RawData): boolean {
    this.#bytes += Array.isArray(data)
      ? data.reduce((sum, part) => sum + part.byteLength, 0)
      : data.byteLength;
    if (this.#bytes > this.#maxBytes) {
      this.#frames = [];
      return false;
    }
    this.#frames.push(data);
    return true;
  }

  /** The frames held, in order of arrival; none are held after. */
  take(): RawData[] {
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }
}
