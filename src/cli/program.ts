/**
 * Builds the `special-agent` command tree and runs one invocation. Every command takes
 * `--json`; every failure is one line on stderr with an exit code from `EXIT`.
 *
 * Each command group is imported only when the invocation needs it (bench/README.md "CLI"):
 * `special-agent devices list` loads `commands/devices.js` and what it imports, never the
 * gateway, the onboarding wizard or the chat client, and a bare `--version` loads none.
 */
import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { EXIT } from '../shared/exit-codes.js';

/** Adds one top-level command (with its subcommands) to the program. */
type RegisterGroup = (program: Command, ctx: CliContext) => void;

/**
 * The top-level commands, in help order, each with the module that registers it. The name
 * is the command's own (`program.command(name)` in that module).
 */
const COMMAND_GROUPS = new Map<string, () => Promise<RegisterGroup>>([
  ['gateway', async () => (await import('./commands/gateway.js')).registerGatewayCommands],
  ['dashboard', async () => (await import('./commands/dashboard.js')).registerDashboardCommand],
  ['devices', async () => (await import('./commands/devices.js')).registerDeviceCommands],
  ['models', async () => (await import('./commands/models.js')).registerModelCommands],
  ['configure', async () => (await import('./commands/configure.js')).registerConfigureCommands],
  ['onboard', async () => (await import('./commands/onboard.js')).registerOnboardCommand],
  ['chat', async () => (await import('./commands/chat.js')).registerChatCommand],
]);

/**
 * The groups an invocation needs: the named command's alone; none for a bare `--version`;
 * every group otherwise, so that help, `help <command>` and "did you mean" see them all.
 */
export function groupsFor(argv: readonly string[]): string[] {
  const command = argv.find((arg) => !arg.startsWith('-'));
  if (command !== undefined && COMMAND_GROUPS.has(command)) return [command];
  if (command === undefined && argv.some((arg) => arg === '-V' || arg === '--version')) return [];
  return [...COMMAND_GROUPS.keys()];
}

/** The command tree for `argv`, wired to `ctx` (see {@link groupsFor} for what it holds). */
export async function buildProgram(ctx: CliContext, argv: readonly string[]): Promise<Command> {
  const program = new Command('special-agent')
    .description('Control the special-agent gateway: devices, providers, config, chat')
    .version(ctx.version, '-V, --version')
    .showSuggestionAfterError(true)
    // Commander would call process.exit; we want its error back to print it our way.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text),
      writeErr: (text) => ctx.io.err(text),
      // Usage errors are printed once, by `runCli`, in the one-line format.
      outputError: () => undefined,
    });
  const loaders = groupsFor(argv).flatMap((name) => COMMAND_GROUPS.get(name) ?? []);
  // Imported side by side, registered in help order.
  const registers = await Promise.all(loaders.map((load) => load()));
  for (const register of registers) register(program, ctx);
  return program;
}

/** Runs `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const program = await buildProgram(ctx, argv);
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    // Help and --version arrive here (exit 0), already printed: nothing to describe.
    if (error instanceof CommanderError && error.exitCode === EXIT.ok) return EXIT.ok;
    // Loaded on failure only: it knows every error class, so it imports the config loader.
    const { describeFailure, failureLine } = await import('./cli-error.js');
    const { message, exitCode } = describeFailure(error);
    // A help shown for a missing subcommand has exit 1 and was printed too.
    if (exitCode !== EXIT.ok && message !== '(outputHelp)') ctx.io.err(failureLine(message));
    return exitCode;
  }
}
