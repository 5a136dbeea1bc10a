import { SeenSecrets } from '../util/logger.js';

/**
 * Every secret the gateway's logger scrubs: the values services saw (bounded, newest kept)
 * and the live secrets of services built after the logger (the auth state), which add
 * themselves as sources when they exist.
 */
export class LogSecrets {
  readonly seen = new SeenSecrets();
  readonly #sources: (() => readonly string[])[] = [];

  addSource(source: () => readonly string[]): void {
    this.#sources.push(source);
  }

  values(): string[] {
    return [...this.#sources.flatMap((source) => source()), ...this.seen.values()];
  }
}
