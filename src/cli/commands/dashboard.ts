/**
 * `special-agent dashboard [--no-open]`: the Control UI signed in through a 2-minute,
 * single-use admin invite (DESIGN.md "The dashboard link is an invite too"). The gateway
 * token never goes into a URL: the browser pairs with the invite and keeps its own device
 * token.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../main/local/config.js';
import { DASHBOARD_INVITE, dashboardInviteUrl } from '../../shared/dashboard-invite.js';
import type { InviteCreated } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { toJson } from '../format.js';
import { connectGateway, httpOrigin, type CliGatewayConnection } from '../gateway-connection.js';
import { withJson, withUrl, type UrlOption } from '../options.js';

interface DashboardOptions extends UrlOption {
  open: boolean;
}

const LIFETIME = `${DASHBOARD_INVITE.ttlSeconds / 60} minutes`;

/** Registers `dashboard`. */
export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  withUrl(
    withJson(
      program
        .command('dashboard')
        .description('open the Control UI in the browser, signed in by a single-use link')
        .option(
          '--no-open',
          `print the link instead of opening it (it works once, for ${LIFETIME})`,
        ),
    ),
  ).action((options: DashboardOptions) => dashboard(ctx, options));
}

async function dashboard(ctx: CliContext, options: DashboardOptions): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  // "no gateway running at …" comes from here, before any URL exists (issue 17).
  // All of the command's gateway options (--url and whatever else withUrl declares).
  const connection = await connectGateway(ctx, config, options);
  try {
    const invite = await createInvite(connection);
    // The address this CLI reached the gateway at: the browser on this machine can too.
    const origin = httpOrigin(connection.url);
    const url = dashboardInviteUrl(origin, invite.code);
    if (!options.open) {
      ctx.io.out(options.json ? toJson({ url, expiresAtMs: invite.expiresAtMs }) : `${url}\n`);
      // On stderr, so `$(special-agent dashboard --no-open)` is the URL alone.
      if (!options.json) ctx.io.err(`${singleUseNote(invite.expiresAtMs)}\n`);
      return;
    }
    await openOrRevoke(ctx, connection, url, invite.inviteId);
    // The link went to the browser only: the code is never printed once it was opened.
    ctx.io.out(
      options.json
        ? toJson({ opened: true, url: `${origin}/`, expiresAtMs: invite.expiresAtMs })
        : `Opened the Control UI (the sign-in link works once, for ${LIFETIME})\n`,
    );
  } finally {
    connection.close();
  }
}

function createInvite(connection: CliGatewayConnection): Promise<InviteCreated> {
  return connection.client.request<InviteCreated>('device.invite.create', {
    scopes: [...DASHBOARD_INVITE.scopes],
    ttlSeconds: DASHBOARD_INVITE.ttlSeconds,
    label: DASHBOARD_INVITE.label,
  });
}

/** Opens `url`; when that fails the invite is revoked, so no unused admin link stays live. */
async function openOrRevoke(
  ctx: CliContext,
  connection: CliGatewayConnection,
  url: string,
  inviteId: string,
): Promise<void> {
  try {
    await ctx.openUrl(url);
  } catch (error) {
    await connection.client.request('device.invite.revoke', { inviteId }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `${reason}; run special-agent dashboard --no-open and open the URL yourself`,
    );
  }
}

function singleUseNote(expiresAtMs: number): string {
  const until = new Date(expiresAtMs).toLocaleTimeString();
  return (
    `This link signs in one browser and works once, for ${LIFETIME} (until ${until}); ` +
    'for another, run special-agent dashboard again.'
  );
}
