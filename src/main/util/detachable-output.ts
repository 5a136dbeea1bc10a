/**
 * stdout and stderr as a copy that may go away at any time. A gateway under
 * `… | head -n 2`, in a closed terminal or started by a desktop session without one writes
 * into a pipe or tty that is gone: Node ignores SIGPIPE, so the write fails with EPIPE or
 * EIO, and an 'error' on process.stdout with no listener is an uncaught exception that
 * ends the process (and leaves its lock file behind). Here the first failure detaches the
 * copy for good; the log file (log-file.ts) keeps every line.
 */

/** One of the process's standard streams, or a test's stand-in. */
export type OutputStream = Pick<NodeJS.WritableStream, 'write' | 'on'>;

/** Writes to `stream` until it fails once, then drops everything; never throws. */
export class DetachableOutput {
  readonly #stream: OutputStream;
  #attached = true;

  constructor(stream: OutputStream) {
    this.#stream = stream;
    // Kept for the life of the stream: a late EPIPE from a buffered write must land here too.
    stream.on('error', () => this.#detach());
  }

  /** False once a write failed: nothing is written there any more. */
  get attached(): boolean {
    return this.#attached;
  }

  write(text: string): void {
    if (!this.#attached) return;
    try {
      this.#stream.write(text, (error?: Error | null) => {
        if (error) this.#detach();
      });
    } catch {
      // A destroyed stream can throw synchronously instead of emitting.
      this.#detach();
    }
  }

  #detach(): void {
    this.#attached = false;
  }
}
