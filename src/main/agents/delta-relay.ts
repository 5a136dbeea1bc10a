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

/** One run's relay: `push` the deltas of each read, then `finish` (or `abandon` after an abort). */
export class DeltaRelay {
  readonly #emit: (text: string) => void;
  readonly #options: DeltaRelayOptions;
  /** What went out, in order; joined once, at the end, rather than copied per delta. */
  #sent: string[] = [];
  #held: string[] = [];
  #heldChars = 0;
  /** Set while a delta went out in this turn: later ones are held until it ends. */
  #turn: NodeJS.Immediate | undefined;

  constructor(emit: (text: string) => void, options: DeltaRelayOptions) {
    this.#emit = emit;
    this.#options = options;
  }

  /**
   * Relays the deltas of one network read, in order: the first goes out now unless one
   * already went out in this turn; the rest are held, joined into one string at once (a
   * read holds hundreds of tokens: held one by one, 100 streams kept ~50,000 small strings
   * alive across a turn, long enough for the garbage collector to promote them).
   */
  push(texts: readonly string[]): void {
    if (this.#options.signal.aborted || texts.length === 0) return;
    let rest = texts;
    if (this.#turn === undefined) {
      this.#send(texts[0] ?? '');
      this.#turn = setImmediate(this.#endTurn);
      rest = texts.slice(1);
    }
    if (rest.length === 0) return;
    const text = rest.join('');
    this.#held.push(text);
    this.#heldChars += text.length;
    if (this.#heldChars >= this.#options.maxChars) this.#flush();
  }

  /** Sends what is held (the reply ended or failed); returns the whole text sent. */
  finish(): string {
    this.#stopTurn();
    this.#flush();
    return this.#takeText();
  }

  /** Drops what is held (the run was aborted); returns the text the client did get. */
  abandon(): string {
    this.#stopTurn();
    this.#held = [];
    this.#heldChars = 0;
    return this.#takeText();
  }

  /** The text sent, joined; the pieces go, so a run waiting to save it holds one copy. */
  #takeText(): string {
    const text = this.#sent.join('');
    this.#sent = [];
    return text;
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
