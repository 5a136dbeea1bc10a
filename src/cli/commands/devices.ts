/**
 * `special-agent devices list|approve|reject|remove|rotate|revoke`, against the running
 * gateway; invites, ignore and rename are in `device-invites.ts`.
 */
import { EXIT } from '../../shared/exit-codes.js';
import type { Command } from 'commander';
import { loadConfig } from '../../main/local/config.js';
import type { PairedDevice, PairListPayload } from '../../shared/protocol.js';
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
import { connectGateway, type CliGatewayConnection } from '../gateway-connection.js';
import { withJson, withUrl, type UrlOption } from '../options.js';
import { parseScopeList, scopesCell } from '../scope-list.js';
import { printable } from '../../shared/printable.js';
import { tokenState } from '../../shared/token-state.js';
import { registerInviteCommands } from './device-invites.js';

/** Fewest characters of an id accepted as a prefix, so a typo cannot hit another device. */
export const MIN_ID_PREFIX_LENGTH = 8;
const FULL_DEVICE_ID = /^[0-9a-f]{64}$/;

type Action = 'approve' | 'reject' | 'remove' | 'rotate' | 'revoke';

/** Options of `devices approve` beyond --json and --url. */
interface ApproveOptions extends UrlOption {
  name?: string;
  scopes?: string[];
}

interface ActionSpec {
  method: string;
  idKind: 'request' | 'device';
  help: string;
  done: string;
  /** Options of this action only, and the params they add to the method call. */
  extra?: {
    add(command: Command): Command;
    params(options: ApproveOptions): Record<string, unknown>;
  };
}

const ACTIONS: Record<Action, ActionSpec> = {
  approve: {
    method: 'device.pair.approve',
    idKind: 'request',
    help: 'approve a pending pairing request',
    done: 'Approved',
    extra: {
      add: (command) =>
        command
          .option('--name <name>', 'name the paired device (1-64 characters)')
          .option(
            '--scopes <list>',
            'grant only these of the requested scopes, comma-separated (read, write, pairing, admin, or full names such as operator.read)',
            parseScopeList,
          ),
      params: (options) => ({
        ...(options.name === undefined ? {} : { displayName: options.name }),
        ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
      }),
    },
  },
  reject: {
    method: 'device.pair.reject',
    idKind: 'request',
    help: 'reject a pending pairing request',
    done: 'Rejected',
  },
  remove: {
    method: 'device.pair.remove',
    idKind: 'device',
    help: 'unpair a device (its connections close)',
    done: 'Removed',
  },
  rotate: {
    method: 'device.token.rotate',
    idKind: 'device',
    help: "rotate a device's token (it signs in again with the gateway secret)",
    done: 'Rotated the token of',
  },
  revoke: {
    method: 'device.token.revoke',
    idKind: 'device',
    help: "revoke a device's token",
    done: 'Revoked the token of',
  },
};

/** Registers the `devices` group. */
export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  const devices = program.command('devices').description('list, approve and manage paired devices');
  withUrl(
    withJson(devices.command('list').description('pending requests and paired devices')),
  ).action((options: UrlOption) =>
    withConnection(ctx, options, async (connection) => {
      const list = await fetchPairList(connection);
      ctx.io.out(options.json ? toJson(list) : renderPairList(list, ctx.clock.now()));
    }),
  );
  registerInviteCommands(devices, ctx, {
    withConnection,
    resolveRequestId,
    resolveDeviceId,
    describeTarget,
    minIdPrefixLength: MIN_ID_PREFIX_LENGTH,
  });
  for (const [name, action] of Object.entries(ACTIONS) as [Action, (typeof ACTIONS)[Action]][]) {
    const argument = action.idKind === 'request' ? '<requestId>' : '<deviceId>';
    const command = withUrl(
      withJson(
        devices
          .command(`${name} ${argument}`)
          .description(`${action.help} (an id prefix of 8+ characters works)`),
      ),
    );
    (action.extra?.add(command) ?? command).action((id: string, options: ApproveOptions) =>
      withConnection(ctx, options, async (connection) => {
        const resolved =
          action.idKind === 'request'
            ? await resolveRequestId(connection, id)
            : await resolveDeviceId(connection, id);
        const params = {
          ...(action.idKind === 'request' ? { requestId: resolved } : { deviceId: resolved }),
          ...action.extra?.params(options),
        };
        const payload = await connection.client.request<Record<string, unknown>>(
          action.method,
          params,
        );
        ctx.io.out(
          options.json ? toJson(payload) : `${action.done} ${describeTarget(payload, resolved)}\n`,
        );
      }),
    );
  }
}

async function withConnection(
  ctx: CliContext,
  options: UrlOption,
  work: (connection: CliGatewayConnection) => Promise<void>,
): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  const connection = await connectGateway(ctx, config, {
    url: options.url,
    tlsFingerprint: options.tlsFingerprint,
  });
  try {
    await work(connection);
  } finally {
    connection.close();
  }
}

/**
 * `device.pair.list` with every page of paired devices (the gateway pages past 500):
 * pending and ignored come whole with the first page. A device re-approved while paging
 * shows up again on a later page; its later record is kept.
 */
async function fetchPairList(connection: CliGatewayConnection): Promise<PairListPayload> {
  const { nextCursor, ...first } =
    await connection.client.request<PairListPayload>('device.pair.list');
  const paired = new Map(first.paired.map((device) => [device.deviceId, device]));
  for (let cursor = nextCursor; cursor !== undefined;) {
    const page = await connection.client.request<PairListPayload>('device.pair.list', { cursor });
    for (const device of page.paired) {
      paired.delete(device.deviceId);
      paired.set(device.deviceId, device);
    }
    if (page.nextCursor === cursor)
      throw new CliError('the gateway returned the same device.pair.list page twice');
    cursor = page.nextCursor;
  }
  return { ...first, paired: [...paired.values()] };
}

/** An exact id goes to the gateway as typed (its NOT_FOUND message is the answer); a prefix is resolved first. */
async function resolveRequestId(connection: CliGatewayConnection, id: string): Promise<string> {
  if (id.length < MIN_ID_PREFIX_LENGTH) return id;
  const { pending } = await connection.client.request<PairListPayload>('device.pair.list');
  if (pending.some((request) => request.requestId === id)) return id;
  const matches = pending.filter((request) => request.requestId.startsWith(id));
  if (matches.length > 1) throw ambiguous('request id', id, matches.length);
  return matches[0]?.requestId ?? id;
}

async function resolveDeviceId(connection: CliGatewayConnection, id: string): Promise<string> {
  const wanted = id.toLowerCase();
  if (FULL_DEVICE_ID.test(wanted)) return wanted;
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length < MIN_ID_PREFIX_LENGTH) {
    throw new CliError(
      `"${id}" is not a device id (give the 64 hex characters, or at least ${MIN_ID_PREFIX_LENGTH} of them as shown by: special-agent devices list)`,
      EXIT.usage,
    );
  }
  const { paired } = await fetchPairList(connection);
  const matches = paired.filter((device) => device.deviceId.startsWith(wanted));
  if (matches.length > 1) throw ambiguous('device id', id, matches.length);
  const match = matches[0];
  if (!match)
    throw new CliError(
      `device ${id} is not paired (run \`special-agent devices list\` to see paired devices)`,
    );
  return match.deviceId;
}

function ambiguous(what: string, id: string, count: number): CliError {
  return new CliError(`${what} prefix ${id} matches ${count} entries (give more characters)`);
}

function describeTarget(payload: Record<string, unknown>, id: string): string {
  const device = payload.device as PairedDevice | undefined;
  const deviceId = typeof payload.deviceId === 'string' ? payload.deviceId : device?.deviceId;
  const name = device?.displayName ?? device?.clientId;
  const short = deviceId ? `device ${deviceId.slice(0, SHORT_DEVICE_ID_LENGTH)}` : id;
  // The name is the device's own choice: shown escaped, never as terminal input.
  return name ? `${printable(name)} (${short})` : short;
}

/** The readable `devices list`: a Pending table and a Paired table. */
export function renderPairList(list: PairListPayload, now: number): string {
  const pendingRows = list.pending.map((request) => [
    request.requestId.slice(0, SHORT_REQUEST_ID_LENGTH),
    request.deviceId.slice(0, SHORT_DEVICE_ID_LENGTH),
    cell(request.displayName),
    clientCell(request.platform, request.clientId),
    cell(request.remoteIp),
    scopesCell(request.scopes),
    formatAge(request.ts, now),
    request.isRepair ? request.reason : 'new device',
  ]);
  const pairedRows = list.paired.map((device) => [
    device.deviceId.slice(0, SHORT_DEVICE_ID_LENGTH),
    cell(device.displayName),
    clientCell(device.platform, device.clientId),
    cell(device.remoteIp),
    scopesCell(device.scopes),
    device.lastSeenAtMs === undefined ? 'never' : formatAge(device.lastSeenAtMs, now),
    tokenState(device),
  ]);
  let text = `Pending (${list.pending.length})\n`;
  text += pendingRows.length
    ? renderTable(
        ['REQUEST', 'DEVICE', 'NAME', 'PLATFORM/CLIENT', 'IP', 'SCOPES', 'REQUESTED', 'WHY'],
        pendingRows,
      )
    : '  none\n';
  text += `\nPaired (${list.paired.length})\n`;
  text += pairedRows.length
    ? renderTable(
        ['DEVICE', 'NAME', 'PLATFORM/CLIENT', 'IP', 'SCOPES', 'LAST SEEN', 'TOKEN'],
        pairedRows,
      )
    : '  none\n';
  if (list.pending.length) text += '\nApprove with: special-agent devices approve <request>\n';
  return text;
}

function clientCell(platform: string | undefined, clientId: string): string {
  return platform ? `${platform}/${clientId}` : clientId;
}
