/**
 * What start-up undoes when a later step throws, and what `stop()` undoes: each step that
 * holds a resource adds its undo right after it succeeds, and they run newest first.
 */
export class Cleanups {
  readonly #steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  /** Runs every step, newest first; a step that throws stops the rest (as before the split). */
  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) await step();
  }
}
