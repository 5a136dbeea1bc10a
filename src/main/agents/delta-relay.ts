/**
 * Joins a run's text deltas into fewer `chat` events without holding any back (issue 16:
 * one event per token made relaying a fast 20,000-token reply three times slower than
 * reading it directly). A delta that arrives when none went out in this turn of the event
 * loop goes out at once, so the first token, and every token of a slow stream, leaves
 * without delay; the deltas that follow it in the same turn are joined and go out when the
 * turn ends (`setImmediate`), or as soon as they reach `maxChars`. A delta's `text` is a
 * chunk of the reply (PROTOCOL.md "Events"), so the client sees the same text either way.
 */

export interface DeltaRelayOptions {
  /** Joined deltas go out once they hold this many UTF-16 code units. */
  maxChars: number;
  /** Once aborted, nothing more goes out: what was held is dropped. */
  signal: AbortSignal;
}

/** One run's relay: `push` each delta, then `finish` (or `abandon` after an abort). */
export class DeltaRelay {
  readonly #emit: (text: string) => void;
  readonly #options: DeltaRelayOptions;
  /** What went out, in order; joined once, at the end, rather than copied per delta. */
  readonly #sent: string[] = [];
  #held: string[] = [];
  #heldChars = 0;
  /** Set while a delta went out in this turn: later ones are held until it ends. */
  #turn: NodeJS.Immediate | undefined;

  constructor(emit: (text: string) => void, options: DeltaRelayOptions) {
    this.#emit = emit;
    this.#options = options;
  }

  /** Sends `text` now, or holds it until the end of this turn of the event loop. */
  push(text: string): void {
    if (this.#options.signal.aborted) return;
    if (this.#turn === undefined) {
      this.#send(text);
      this.#turn = setImmediate(this.#endTurn);
      return;
    }
    this.#held.push(text);
    this.#heldChars += text.length;
    if (this.#heldChars >= this.#options.maxChars) this.#flush();
  }

  /** Sends what is held (the reply ended or failed); returns the whole text sent. */
  finish(): string {
    this.#stopTurn();
    this.#flush();
    return this.#sent.join('');
  }

  /** Drops what is held (the run was aborted); returns the text the client did get. */
  abandon(): string {
    this.#stopTurn();
    this.#held = [];
    this.#heldChars = 0;
    return this.#sent.join('');
  }

  readonly #endTurn = (): void => {
    this.#turn = undefined;
    this.#flush();
  };

  #stopTurn(): void {
    if (this.#turn !== undefined) clearImmediate(this.#turn);
    this.#turn = undefined;
  }

  #flush(): void {
    const held = this.#held;
    if (held.length === 0) return;
    this.#held = [];
    this.#heldChars = 0;
    // An abort between the push and the end of the turn: what the client never saw stays unsent.
    if (this.#options.signal.aborted) return;
    this.#send(held.join(''));
  }

  #send(text: string): void {
    this.#sent.push(text);
    this.#emit(text);
  }
}
