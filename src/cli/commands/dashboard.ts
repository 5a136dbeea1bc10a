/** `special-agent dashboard [--no-open]`: the Control UI with a one-time `#token=` fragment. */
import type { Command } from 'commander';
import { loadConfig } from '../../main/config/load.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { toJson } from '../format.js';
import { httpOrigin, resolveGatewayUrl, resolveSharedAuth } from '../gateway-connection.js';
import { withJson, withUrl, type UrlOption } from '../options.js';

interface DashboardOptions extends UrlOption {
  open: boolean;
}

/** Registers `dashboard`. */
export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  withUrl(
    withJson(
      program
        .command('dashboard')
        .description('open the Control UI in the browser, signed in with the gateway token')
        .option('--no-open', 'print the URL (it contains the token) instead of opening it'),
    ),
  ).action((options: DashboardOptions) => dashboard(ctx, options));
}

async function dashboard(ctx: CliContext, options: DashboardOptions): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  const origin = httpOrigin(resolveGatewayUrl({ flag: options.url, env: ctx.env, config }));
  const url = `${origin}/${await tokenFragment(ctx, config)}`;
  if (!options.open) {
    ctx.io.out(options.json ? toJson({ url }) : `${url}\n`);
    return;
  }
  try {
    await ctx.openUrl(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `${reason}; run special-agent dashboard --no-open and open the URL yourself`,
    );
  }
  // The token went to the browser only: it is never printed once the URL was opened.
  ctx.io.out(
    options.json ? toJson({ opened: true, url: origin + '/' }) : 'Opened the Control UI\n',
  );
}

/**
 * `#token=<token>` in token mode (the fragment never reaches the server's logs), nothing in
 * password or none mode: a password is typed into the login page instead.
 */
async function tokenFragment(
  ctx: CliContext,
  config: Parameters<typeof resolveSharedAuth>[1],
): Promise<string> {
  if (config.gateway.auth.mode !== 'token') return '';
  const shared = await resolveSharedAuth(ctx, config);
  if (shared.auth.token) return `#token=${encodeURIComponent(shared.auth.token)}`;
  if (shared.keychainError) throw new CliError(shared.keychainError.message);
  throw new CliError(
    'no gateway token found in SPECIAL_AGENT_GATEWAY_TOKEN, gateway.auth.token or the OS keychain (create one with: special-agent onboard)',
  );
}
