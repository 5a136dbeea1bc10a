/**
 * `special-agent devices invite|invites|invite-revoke|ignore|unignore|rename` (DESIGN.md
 * "Remote devices": invites, ignore and name), against the running gateway.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { INVITE_TTL_SECONDS } from '../../shared/invites.js';
import type { InviteCreated, InviteInfo, PairListPayload } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import {
  SHORT_DEVICE_ID_LENGTH,
  SHORT_REQUEST_ID_LENGTH,
  cell,
  formatAge,
  renderTable,
  toJson,
} from '../format.js';
import type { CliGatewayConnection } from '../gateway-connection.js';
import { withJson, withUrl, type UrlOption } from '../options.js';
import { parseScopeList, scopesCell } from '../scope-list.js';

/** The helpers of `devices.ts` these commands share (passed in: no import cycle). */
export interface DeviceCommandKit {
  withConnection: (
    ctx: CliContext,
    options: UrlOption,
    work: (connection: CliGatewayConnection) => Promise<void>,
  ) => Promise<void>;
  /** A pending request id from an exact id or a unique prefix. */
  resolveRequestId: (connection: CliGatewayConnection, id: string) => Promise<string>;
  /** A paired device id from an exact id or a unique prefix. */
  resolveDeviceId: (connection: CliGatewayConnection, id: string) => Promise<string>;
  /** `<name> (device <short id>)` for a method payload. */
  describeTarget: (payload: Record<string, unknown>, id: string) => string;
  /** Fewest characters of an id accepted as a prefix. */
  minIdPrefixLength: number;
}

interface InviteOptions extends UrlOption {
  scopes?: string[];
  ttl?: number;
  label?: string;
}

const DURATION = /^(\d+)(s|m|h)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/**
 * Commander parser for `--ttl`: `90s`, `10m`, `1h` (a bare number is seconds), between
 * 60 s and 1 h; returns seconds.
 */
export function parseTtl(value: string): number {
  const match = DURATION.exec(value.trim());
  const unit = (match?.[2] ?? 's') as keyof typeof UNIT_SECONDS;
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[unit] : Number.NaN;
  if (!(seconds >= INVITE_TTL_SECONDS.min && seconds <= INVITE_TTL_SECONDS.max))
    throw new InvalidArgumentError('expected a duration from 60s to 1h, e.g. 90s, 10m or 1h');
  return seconds;
}

/** Registers the invite, ignore and rename subcommands on the `devices` group. */
export function registerInviteCommands(
  devices: Command,
  ctx: CliContext,
  kit: DeviceCommandKit,
): void {
  const { withConnection } = kit;
  withUrl(
    withJson(
      devices
        .command('invite')
        .description('make a single-use invite: a QR code and setup URL that pair a device at once')
        .option(
          '--scopes <scopes>',
          'what the device may do, e.g. read,write (default: read,write)',
          parseScopeList,
        )
        .option('--ttl <duration>', 'how long the invite works: 60s to 1h (default: 10m)', parseTtl)
        .option('--label <name>', 'a name for the invite, shown in devices invites'),
    ),
  ).action((options: InviteOptions) =>
    withConnection(ctx, options, async (connection) => {
      const created = await connection.client.request<InviteCreated>('device.invite.create', {
        ...(options.scopes ? { scopes: options.scopes } : {}),
        ...(options.ttl === undefined ? {} : { ttlSeconds: options.ttl }),
        ...(options.label === undefined ? {} : { label: options.label }),
      });
      ctx.io.out(options.json ? toJson(created) : await renderInvite(created, ctx.clock.now()));
    }),
  );
  withUrl(
    withJson(devices.command('invites').description('open invites (never their codes)')),
  ).action((options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const payload = await connection.client.request<{ invites: InviteInfo[] }>(
        'device.invite.list',
      );
      ctx.io.out(options.json ? toJson(payload) : renderInvites(payload.invites, ctx.clock.now()));
    }),
  );
  withUrl(
    withJson(
      devices
        .command('invite-revoke <inviteId>')
        .description('revoke an open invite (an id prefix of 8+ characters works)'),
    ),
  ).action((id: string, options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const inviteId = await resolveInviteId(connection, id, kit.minIdPrefixLength);
      const payload = await connection.client.request<{ inviteId: string }>(
        'device.invite.revoke',
        { inviteId },
      );
      ctx.io.out(
        options.json
          ? toJson(payload)
          : `Revoked invite ${inviteId.slice(0, SHORT_REQUEST_ID_LENGTH)}\n`,
      );
    }),
  );
  registerIgnoreAndRename(devices, ctx, kit);
}

function registerIgnoreAndRename(devices: Command, ctx: CliContext, kit: DeviceCommandKit): void {
  const { withConnection, describeTarget } = kit;
  withUrl(
    withJson(
      devices
        .command('ignore <requestId>')
        .description("reject a request and ignore that device's later ones (until unignore)"),
    ),
  ).action((id: string, options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const requestId = await kit.resolveRequestId(connection, id);
      const payload = await connection.client.request<{ requestId: string; deviceId: string }>(
        'device.pair.ignore',
        { requestId },
      );
      ctx.io.out(
        options.json
          ? toJson(payload)
          : `Ignored ${describeTarget(payload, requestId)}; undo with: special-agent devices unignore ${payload.deviceId.slice(0, SHORT_DEVICE_ID_LENGTH)}\n`,
      );
    }),
  );
  withUrl(
    withJson(
      devices
        .command('unignore <deviceId>')
        .description(
          'let an ignored device ask to pair again (an id prefix of 8+ characters works)',
        ),
    ),
  ).action((id: string, options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const deviceId = await resolveIgnoredId(connection, id, kit.minIdPrefixLength);
      const payload = await connection.client.request<{ deviceId: string }>('device.unignore', {
        deviceId,
      });
      ctx.io.out(
        options.json ? toJson(payload) : `Unignored ${describeTarget(payload, deviceId)}\n`,
      );
    }),
  );
  withUrl(
    withJson(
      devices
        .command('rename <deviceId> <name>')
        .description('name a paired device (1-64 characters; an id prefix of 8+ characters works)'),
    ),
  ).action((id: string, name: string, options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const deviceId = await kit.resolveDeviceId(connection, id);
      const payload = await connection.client.request<Record<string, unknown>>('device.rename', {
        deviceId,
        displayName: name,
      });
      ctx.io.out(options.json ? toJson(payload) : `Renamed ${describeTarget(payload, deviceId)}\n`);
    }),
  );
}

/** The readable `devices invite`: QR code, setup URL, what it grants, expiry, fingerprint. */
export async function renderInvite(created: InviteCreated, now: number): Promise<string> {
  // Loaded here: ~140 KB that only `devices invite` needs.
  const { default: QRCode } = await import('qrcode');
  const qr = await QRCode.toString(created.setupUrl, { type: 'terminal', small: true });
  const fingerprint = new URLSearchParams(new URL(created.setupUrl).hash.slice(1)).get('fp');
  const short = created.inviteId.slice(0, SHORT_REQUEST_ID_LENGTH);
  return [
    qr.trimEnd(),
    '',
    'Scan the code on the new device, or open this setup URL there (it works once):',
    `  ${created.setupUrl}`,
    '',
    `Scopes:  ${scopesCell(created.scopes)} (role ${created.role})`,
    `Expires: ${formatAge(created.expiresAtMs, now)} (${new Date(created.expiresAtMs).toLocaleTimeString()})`,
    ...(fingerprint ? [`TLS fingerprint: ${fingerprint}`] : []),
    `Revoke:  special-agent devices invite-revoke ${short}`,
    '',
  ].join('\n');
}

/** The readable `devices invites` table. */
export function renderInvites(invites: readonly InviteInfo[], now: number): string {
  if (invites.length === 0)
    return 'Invites (0)\n  none (make one with: special-agent devices invite)\n';
  const rows = invites.map((invite) => [
    invite.inviteId.slice(0, SHORT_REQUEST_ID_LENGTH),
    cell(invite.label),
    scopesCell(invite.scopes),
    formatAge(invite.createdAtMs, now),
    formatAge(invite.expiresAtMs, now),
  ]);
  return `Invites (${invites.length})\n${renderTable(['INVITE', 'LABEL', 'SCOPES', 'CREATED', 'EXPIRES'], rows)}`;
}

async function resolveInviteId(
  connection: CliGatewayConnection,
  id: string,
  minPrefix: number,
): Promise<string> {
  if (id.length < minPrefix) return id;
  const { invites } = await connection.client.request<{ invites: InviteInfo[] }>(
    'device.invite.list',
  );
  return uniquePrefixMatch(
    invites.map((invite) => invite.inviteId),
    id,
    'invite id',
  );
}

async function resolveIgnoredId(
  connection: CliGatewayConnection,
  id: string,
  minPrefix: number,
): Promise<string> {
  const wanted = id.toLowerCase();
  if (wanted.length < minPrefix) return wanted;
  const { ignored } = await connection.client.request<PairListPayload>('device.pair.list');
  return uniquePrefixMatch(
    (ignored ?? []).map((device) => device.deviceId),
    wanted,
    'device id',
  );
}

/** The one id starting with `prefix`; `prefix` itself when none does (the gateway answers). */
function uniquePrefixMatch(ids: readonly string[], prefix: string, what: string): string {
  if (ids.includes(prefix)) return prefix;
  const matches = ids.filter((candidate) => candidate.startsWith(prefix));
  if (matches.length > 1)
    throw new CliError(
      `${what} prefix ${prefix} matches ${matches.length} entries (give more characters)`,
    );
  return matches[0] ?? prefix;
}
