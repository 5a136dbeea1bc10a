/**
 * Reading from the terminal: whole stdin, one answered question, or a secret typed without
 * echo (a key typed on the command line would be visible in `ps` and the shell history).
 */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** All of `stream` as UTF-8, until EOF. */
export async function readAllStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Drops the one line ending `echo` or a heredoc adds; inner newlines stay. */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Asks questions on one readline interface, so answers piped in (scripts, tests) are read
 * line by line just like typed ones.
 */
export class Prompter {
  readonly #output: NodeJS.WritableStream;
  readonly #rl: ReturnType<typeof createInterface>;
  #muted = false;
  #lines: AsyncIterator<string> | undefined;
  readonly #interactive: boolean;

  constructor(options: {
    input: NodeJS.ReadableStream;
    output: NodeJS.WritableStream;
    interactive: boolean;
  }) {
    this.#output = options.output;
    this.#interactive = options.interactive;
    // Echo goes through this gate so a secret being typed is not shown.
    const gate = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.#muted) this.#output.write(chunk);
        done();
      },
    });
    this.#rl = createInterface({
      input: options.input,
      output: gate,
      terminal: options.interactive,
    });
  }

  /** Asks `question`; an empty answer (or end of input) gives `fallback`. */
  async ask(question: string, fallback = ''): Promise<string> {
    const answer = (await this.#next(`${question}${fallback ? ` (${fallback})` : ''}: `)).trim();
    return answer === '' ? fallback : answer;
  }

  /** Asks for a secret without echoing what is typed. */
  async askSecret(question: string): Promise<string> {
    const answer = await this.#next(`${question}: `, true);
    if (this.#interactive) this.#output.write('\n');
    return answer.trim();
  }

  /** Asks `question` until the answer is one of `choices`. */
  async choose<T extends string>(question: string, choices: readonly T[], fallback: T): Promise<T> {
    for (;;) {
      const answer = (await this.ask(`${question} [${choices.join('/')}]`, fallback)).toLowerCase();
      const match = choices.find((choice) => choice === answer);
      if (match) return match;
      this.#output.write(`Please answer one of: ${choices.join(', ')}\n`);
      if (!this.#interactive)
        throw new Error(`invalid answer "${answer}" (expected one of: ${choices.join(', ')})`);
    }
  }

  close(): void {
    this.#rl.close();
  }

  async #next(prompt: string, secret = false): Promise<string> {
    this.#output.write(prompt);
    if (this.#interactive) {
      this.#muted = secret;
      try {
        return await this.#rl.question('');
      } finally {
        this.#muted = false;
      }
    }
    // Piped input: read the next line; the answer is not echoed, so end the prompt's line.
    this.#lines ??= this.#rl[Symbol.asyncIterator]();
    const next = await this.#lines.next();
    this.#output.write('\n');
    return next.done ? '' : next.value;
  }
}
