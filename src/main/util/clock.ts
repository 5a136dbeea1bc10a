/** Injected time source, so tests pass a fixed clock instead of sleeping (STYLE.md). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
