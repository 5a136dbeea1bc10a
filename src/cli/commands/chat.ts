/**
 * `special-agent chat [message...]`: sends one message to an agent through the running
 * gateway and streams the reply to stdout as it arrives. Ctrl-C stops the reply. The
 * session id goes to stderr at the end, so `--session <id>` continues the conversation;
 * `chat --list` lists the sessions.
 *
 * The reply is model output and an error is the provider's text: neither is ours, and a
 * model can be talked into emitting terminal control sequences. Both are shown through
 * `printable` (the reply keeping its line breaks and tabs); `--json` carries them exact.
 */
import type { Command } from 'commander';
import type { ChatSendResult } from '../../shared/api-results.js';
import { loadConfig } from '../../main/local/config.js';
import { printable } from '../../shared/printable.js';
import type { GatewayClient } from '../../shared/gateway-client.js';
import type { ChatEvent, SessionsListPayload } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../cli-error.js';
import { formatAge, renderTable, toJson } from '../format.js';
import { connectGateway, type CliGatewayConnection } from '../gateway-connection.js';
import { withUrl, type UrlOption } from '../options.js';
import { stripFinalNewline } from '../terminal.js';

/** Sessions asked for per `sessions.list` call (the gateway's most per page). */
const SESSIONS_PAGE = 200;

/** How long Ctrl-C waits for the gateway to confirm `chat.abort` before leaving anyway. */
export const ABORT_WAIT_MS = 2000;

/** Characters of a title shown by `chat --list` (a patched title may be longer). */
export const LIST_TITLE_CHARS = 60;

interface ChatOptions extends UrlOption {
  agent?: string;
  session?: string;
  list?: boolean;
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
      .option('--session <id>', 'continue this session (ids: chat --list, or stderr after a reply)')
      .option('--list', 'list the sessions, newest first (with --agent: only that agent’s)')
      .option(
        '--json',
        'print the chat.send payload, then each chat event, one JSON object per line',
      ),
  ).action((words: string[], options: ChatOptions) => chat(ctx, words, options));
}

async function chat(ctx: CliContext, words: string[], options: ChatOptions): Promise<void> {
  if (options.list) return listSessions(ctx, words, options);
  const message = words.length ? words.join(' ') : await messageFromStdin(ctx);
  if (!message.trim())
    throw new CliError('no message (give it as arguments, or pipe it on stdin)', EXIT.usage);
  const { config } = await loadConfig(ctx.paths);
  const connection = await connectGateway(ctx, config, {
    url: options.url,
    tlsFingerprint: options.tlsFingerprint,
  });
  let sessionId: string | undefined;
  try {
    sessionId = await streamReply(ctx, connection, message, options);
  } finally {
    connection.close();
  }
  // On stderr, so stdout stays the reply alone. `--json` has it in the chat.send payload.
  if (sessionId !== undefined && !options.json)
    ctx.io.err(`session ${sessionId} (continue: special-agent chat --session ${sessionId} …)\n`);
}

async function listSessions(ctx: CliContext, words: string[], options: ChatOptions) {
  if (words.length > 0 || options.session !== undefined)
    throw new CliError('--list takes no message and no --session', EXIT.usage);
  const { config } = await loadConfig(ctx.paths);
  // All of the command's gateway options: --url and --tls-fingerprint.
  const connection = await connectGateway(ctx, config, options);
  try {
    const list = await allSessions(connection.client, options.agent);
    ctx.io.out(options.json ? toJson(list) : renderSessions(list, ctx.clock.now()));
  } finally {
    connection.close();
  }
}

/** Every page of `sessions.list`, newest first (a page ends before a run of equal times). */
async function allSessions(
  client: GatewayClient,
  agentId: string | undefined,
): Promise<SessionsListPayload> {
  const sessions: SessionsListPayload['sessions'] = [];
  for (;;) {
    const before = sessions.at(-1)?.updatedAtMs;
    const page = await client.request<SessionsListPayload>('sessions.list', {
      ...(agentId ? { agentId } : {}),
      limit: SESSIONS_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    if (page.sessions.length === 0) return { sessions };
    sessions.push(...page.sessions);
  }
}

/** The sessions as a table; titles are user and model text, made printable by `renderTable`. */
function renderSessions(list: SessionsListPayload, nowMs: number): string {
  if (list.sessions.length === 0)
    return 'No sessions yet (start one with: special-agent chat <message>)\n';
  const rows = list.sessions.map((session) => [
    session.sessionId,
    session.agentId,
    clip(session.title),
    formatAge(session.updatedAtMs, nowMs),
    String(session.messageCount),
  ]);
  return renderTable(['SESSION', 'AGENT', 'TITLE', 'UPDATED', 'MESSAGES'], rows);
}

function clip(title: string): string {
  const chars = Array.from(title);
  return chars.length <= LIST_TITLE_CHARS ? title : `${chars.slice(0, LIST_TITLE_CHARS).join('')}…`;
}

async function messageFromStdin(ctx: CliContext): Promise<string> {
  if (ctx.io.stdinIsTty) ctx.io.err('Type the message, then press Ctrl-D\n');
  return stripFinalNewline(await ctx.io.readStdin());
}

function streamReply(
  ctx: CliContext,
  connection: CliGatewayConnection,
  message: string,
  options: ChatOptions,
): Promise<string | undefined> {
  const { client } = connection;
  return new Promise<string | undefined>((resolve, reject) => {
    let runId: string | undefined;
    let sessionId: string | undefined;
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
      else resolve(sessionId);
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
          // 1009 before any answer: the message itself was past the frame limit.
          code === 1009 && runId === undefined
            ? `the message is too large to send (the gateway takes at most ${connection.hello.policy.maxPayload} bytes per frame); send a shorter one`
            : `the gateway closed the connection during the reply (${code}${reason ? ` ${printable(reason)}` : ''})`,
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
    client.request<ChatSendResult>('chat.send', params).then(
      (sent) => {
        runId = sent.runId;
        sessionId = sent.sessionId;
        if (options.json) ctx.io.out(`${JSON.stringify(sent)}\n`);
        for (const event of early.splice(0)) if (event.runId === runId) handle(event);
      },
      (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
