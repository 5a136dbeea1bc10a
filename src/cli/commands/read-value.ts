/** A value given as `-`: typed without echo on a terminal, else read from piped stdin. */
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { Prompter, stripFinalNewline } from '../terminal.js';

/**
 * Reads one value from stdin; on a terminal asks for it without echo. `pipeExample` is the
 * command line shown when stdin is empty.
 */
export async function readValueFromStdin(
  ctx: CliContext,
  question: string,
  pipeExample = 'special-agent configure set <path> -',
): Promise<string> {
  if (ctx.io.stdinIsTty) {
    const prompter = new Prompter({
      input: ctx.io.stdin,
      output: ctx.io.stderr,
      interactive: true,
    });
    try {
      return await prompter.askSecret(question);
    } finally {
      prompter.close();
    }
  }
  const text = stripFinalNewline(await ctx.io.readStdin());
  if (text === '')
    throw new CliError(`no value on stdin (pipe it in, e.g. printf %s "$KEY" | ${pipeExample})`);
  return text;
}
