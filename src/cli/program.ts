/**
 * Builds the `special-agent` command tree and runs one invocation. Every command takes
 * `--json`; every failure is one line on stderr with an exit code from `EXIT`.
 */
import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { describeFailure, failureLine } from './cli-error.js';
import { EXIT } from '../shared/exit-codes.js';
import { registerChatCommand } from './commands/chat.js';
import { registerConfigureCommands } from './commands/configure.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerDeviceCommands } from './commands/devices.js';
import { registerGatewayCommands } from './commands/gateway.js';
import { registerModelCommands } from './commands/models.js';
import { registerOnboardCommand } from './commands/onboard.js';

/** The command tree, wired to `ctx`. */
export function buildProgram(ctx: CliContext): Command {
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
  registerGatewayCommands(program, ctx);
  registerDashboardCommand(program, ctx);
  registerDeviceCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerConfigureCommands(program, ctx);
  registerOnboardCommand(program, ctx);
  registerChatCommand(program, ctx);
  return program;
}

/** Runs `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    const { message, exitCode } = describeFailure(error);
    // Help and --version also arrive here (exit 0); they have already been printed.
    if (exitCode !== EXIT.ok && message !== '(outputHelp)') ctx.io.err(failureLine(message));
    return exitCode;
  }
}
