/**
 * `special-agent chat [message...]`: sends one message to an agent through the running
 * gateway and streams the reply to stdout as it arrives. Ctrl-C stops the reply.
 *
 * The reply is model output and an error is the provider's text: neither is ours, and a
 * model can be talked into emitting terminal control sequences. Both are shown through
 * `printable` (the reply keeping its line breaks and tabs); `--json` carries them exact.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../main/config/load.js';
import { printable } from '../../shared/printable.js';
import type { ChatEvent } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../cli-error.js';
import { connectGateway, type GatewayConnection } from '../gateway-connection.js';
import { withUrl, type UrlOption } from '../options.js';
import { stripFinalNewline } from '../terminal.js';

/** How long Ctrl-C waits for the gateway to confirm `chat.abort` before leaving anyway. */
export const ABORT_WAIT_MS = 2000;

interface ChatOptions extends UrlOption {
  agent?: string;
  session?: string;
}

/** Registers `chat`. */
export function registerChatCommand(program: Command, ctx: CliContext): void {
  withUrl(
    program
      .command('chat [message...]')
      .description(
        'send a message to an agent and print the reply as it streams (reads stdin when no message is given)',
      )
      .option('--agent <id>', 'agent to talk to (default: agents.default)')
      .option('--session <id>', 'continue this session (see --json output for ids)')
      .option(
        '--json',
        'print the chat.send payload, then each chat event, one JSON object per line',
      ),
  ).action((words: string[], options: ChatOptions) => chat(ctx, words, options));
}

async function chat(ctx: CliContext, words: string[], options: ChatOptions): Promise<void> {
  const message = words.length ? words.join(' ') : await messageFromStdin(ctx);
  if (!message.trim())
    throw new CliError('no message (give it as arguments, or pipe it on stdin)', EXIT.usage);
  const { config } = await loadConfig(ctx.paths);
  const connection = await connectGateway(ctx, config, {
    url: options.url,
    tlsFingerprint: options.tlsFingerprint,
  });
  try {
    await streamReply(ctx, connection, message, options);
  } finally {
    connection.close();
  }
}

async function messageFromStdin(ctx: CliContext): Promise<string> {
  if (ctx.io.stdinIsTty) ctx.io.err('Type the message, then press Ctrl-D\n');
  return stripFinalNewline(await ctx.io.readStdin());
}

function streamReply(
  ctx: CliContext,
  connection: GatewayConnection,
  message: string,
  options: ChatOptions,
): Promise<void> {
  const { client } = connection;
  return new Promise<void>((resolve, reject) => {
    let runId: string | undefined;
    let printed = false;
    let finished = false;
    const early: ChatEvent[] = [];
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      offEvent();
      offClose();
      removeInterrupt();
      if (printed && !options.json) ctx.io.out('\n');
      if (error) reject(error);
      else resolve();
    };
    const handle = (event: ChatEvent) => {
      if (options.json) ctx.io.out(`${JSON.stringify(event)}\n`);
      if (event.state === 'delta' && event.text) {
        if (!options.json) ctx.io.out(printable(event.text, { multiline: true }));
        printed = true;
      } else if (event.state === 'final') {
        finish();
      } else if (event.state === 'error') {
        finish(new CliError(printable(event.error?.message ?? 'the agent run failed')));
      }
    };
    // This connection runs one chat, so every `chat` event is ours; events that beat the
    // `chat.send` answer wait until we know the run id.
    const offEvent = client.on('chat', (payload) => {
      const event = payload as ChatEvent;
      if (runId === undefined) early.push(event);
      else if (event.runId === runId) handle(event);
    });
    const offClose = client.onClose((code, reason) =>
      finish(
        new CliError(
          `the gateway closed the connection during the reply (${code}${reason ? ` ${printable(reason)}` : ''})`,
        ),
      ),
    );
    const removeInterrupt = ctx.onInterrupt(() => {
      const stop =
        runId === undefined
          ? Promise.resolve()
          : client.request('chat.abort', { runId }).catch(() => undefined);
      const wait = new Promise((done) => setTimeout(done, ABORT_WAIT_MS).unref());
      void Promise.race([stop, wait]).then(() => {
        ctx.exitCode = EXIT.interrupted;
        finish();
      });
    });
    const params = {
      message,
      ...(options.agent ? { agentId: options.agent } : {}),
      ...(options.session ? { sessionId: options.session } : {}),
    };
    client.request<{ runId: string; sessionId: string }>('chat.send', params).then(
      (sent) => {
        runId = sent.runId;
        if (options.json) ctx.io.out(`${JSON.stringify(sent)}\n`);
        for (const event of early.splice(0)) if (event.runId === runId) handle(event);
      },
      (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
