/**
 * The tray menu as a pure function of gateway state (DESIGN.md "Desktop"). Items carry
 * plain `action` objects; the Electron layer maps them to clicks, so every label, enabled
 * flag and action here is tested without Electron.
 */
import { formatAge as ageText } from '../../shared/format-age.js';
import { printable } from '../../shared/printable.js';
import { DEFAULT_DESKTOP_OPTIONS, type DesktopOptions } from './desktop-options.js';

/** What a click on a tray item asks for. */
export type TrayAction =
  | { type: 'approve'; requestId: string }
  | { type: 'reject'; requestId: string }
  | { type: 'open-control-ui'; route?: string }
  | { type: 'copy-dashboard-url' }
  | { type: 'restart-gateway' }
  | { type: 'set-start-at-login'; enabled: boolean }
  | { type: 'change-port' }
  | { type: 'quit' };

/** One menu entry; `submenu` only for `type: 'submenu'`. */
export interface MenuItemModel {
  /** Stable id, so tests and the Electron layer can find an item without matching labels. */
  id: string;
  type: 'normal' | 'separator' | 'checkbox' | 'submenu';
  label: string;
  enabled: boolean;
  checked?: boolean;
  action?: TrayAction;
  submenu?: MenuItemModel[];
}

export type TrayIcon = 'running' | 'pending' | 'error' | 'stopped';

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  items: MenuItemModel[];
}

export interface TrayGatewayState {
  status: 'starting' | 'running' | 'stopped' | 'error';
  host: string;
  port: number;
  authMode: 'token' | 'password' | 'none';
  /** `status.tls.fingerprintSha256` when the gateway speaks HTTPS/WSS. */
  tlsFingerprint?: string | undefined;
  error?: {
    kind: 'port-in-use' | 'other';
    message: string;
    /** For port-in-use: whether `/healthz` says the holder is another special-agent gateway. */
    heldBy?: 'special-agent' | 'other';
  };
}

export interface TrayPendingRequest {
  requestId: string;
  displayName?: string | undefined;
  deviceId: string;
  remoteIp: string;
  ts: number;
}

export interface TrayState {
  gateway: TrayGatewayState;
  pending: readonly TrayPendingRequest[];
  startAtLogin: boolean;
  now: number;
}

export type TrayModelOptions = Pick<DesktopOptions, 'maxTrayRequests'>;

const PRODUCT = 'special-agent';
/** Long enough to tell two devices apart, short enough for a menu. */
const DEVICE_ID_CHARS = 8;
/** Leading `AB:` pairs of the fingerprint shown on the TLS line; its submenu has them all. */
const FINGERPRINT_PAIRS_SHOWN = 4;

/**
 * "just now", "2 min ago", "3 h ago", "2 d ago": minutes at the finest, so the menu is stable
 * within a minute (src/shared/format-age.ts, menu style).
 */
export function formatAge(ms: number): string {
  return ageText(ms, 'menu');
}

function statusLine(gateway: TrayGatewayState): string {
  const where = `${gateway.host}:${gateway.port}`;
  switch (gateway.status) {
    case 'running':
      return `Gateway on ${where} · ${gateway.authMode}`;
    case 'starting':
      return 'Gateway starting…';
    case 'stopped':
      return 'Gateway stopped';
    case 'error':
      if (gateway.error?.kind === 'port-in-use') {
        return gateway.error.heldBy === 'special-agent'
          ? `special-agent is already running on ${where}`
          : `Port ${gateway.port} is in use by another program`;
      }
      return `Gateway error: ${gateway.error?.message ?? 'unknown'}`;
  }
}

function pickIcon(state: TrayState): TrayIcon {
  const { gateway } = state;
  if (gateway.status === 'running') return state.pending.length > 0 ? 'pending' : 'running';
  if (gateway.status === 'error') {
    // Another special-agent already serves this port: the user's agent is up, nothing is broken.
    return gateway.error?.heldBy === 'special-agent' ? 'running' : 'error';
  }
  return 'stopped';
}

function requestLabel(request: TrayPendingRequest, now: number): string {
  // The device picks its own name: escaped, it can neither break the label nor reorder it.
  const name =
    printable(request.displayName?.trim() ?? '') ||
    `Device ${request.deviceId.slice(0, DEVICE_ID_CHARS)}`;
  return `${name} · ${printable(request.remoteIp)} · ${formatAge(now - request.ts)}`;
}

function pairingItem(state: TrayState, options: TrayModelOptions): MenuItemModel {
  const count = state.pending.length;
  const label = `Pairing requests (${count})`;
  if (count === 0 || state.gateway.status !== 'running') {
    return { id: 'pairing', type: 'normal', label, enabled: false };
  }
  // Oldest first: it expires first.
  const sorted = [...state.pending].sort((a, b) => a.ts - b.ts);
  const shown = sorted.slice(0, options.maxTrayRequests);
  const submenu: MenuItemModel[] = shown.map((request) => ({
    id: `request:${request.requestId}`,
    type: 'submenu',
    label: requestLabel(request, state.now),
    enabled: true,
    submenu: [
      {
        id: `approve:${request.requestId}`,
        type: 'normal',
        label: 'Approve',
        enabled: true,
        action: { type: 'approve', requestId: request.requestId },
      },
      {
        id: `reject:${request.requestId}`,
        type: 'normal',
        label: 'Reject',
        enabled: true,
        action: { type: 'reject', requestId: request.requestId },
      },
    ],
  }));
  if (sorted.length > shown.length) {
    submenu.push({
      id: 'pairing:more',
      type: 'normal',
      label: `…and ${sorted.length - shown.length} more (open Devices)`,
      enabled: true,
      action: { type: 'open-control-ui', route: '/devices' },
    });
  }
  return { id: 'pairing', type: 'submenu', label, enabled: true, submenu };
}

/**
 * `TLS AB:CD:EF:01…`, opening onto the whole fingerprint, to compare with what a client is
 * asked to pin (`--tls-fingerprint`). Nothing to click: the line is there to be read.
 */
function tlsItem(fingerprint: string): MenuItemModel {
  const pairs = fingerprint.split(':');
  const short = pairs.slice(0, FINGERPRINT_PAIRS_SHOWN).join(':');
  return {
    id: 'tls',
    type: 'submenu',
    label: `TLS ${short}${pairs.length > FINGERPRINT_PAIRS_SHOWN ? '…' : ''}`,
    enabled: true,
    submenu: [
      {
        id: 'tls:fingerprint',
        type: 'normal',
        label: `SHA-256 ${fingerprint}`,
        enabled: false,
      },
    ],
  };
}

function separator(id: string): MenuItemModel {
  return { id, type: 'separator', label: '', enabled: true };
}

/** The whole tray: icon, tooltip and menu for one state. */
export function buildTrayModel(
  state: TrayState,
  options: TrayModelOptions = DEFAULT_DESKTOP_OPTIONS,
): TrayModel {
  const { gateway } = state;
  const running = gateway.status === 'running';
  const otherInstance =
    gateway.error?.kind === 'port-in-use' && gateway.error.heldBy === 'special-agent';
  const status = statusLine(gateway);
  const items: MenuItemModel[] = [{ id: 'status', type: 'normal', label: status, enabled: false }];
  if (running && gateway.tlsFingerprint) items.push(tlsItem(printable(gateway.tlsFingerprint)));
  if (gateway.error?.kind === 'port-in-use' && gateway.error.heldBy !== 'special-agent') {
    items.push({
      id: 'change-port',
      type: 'normal',
      label: 'Change port…',
      enabled: true,
      action: { type: 'change-port' },
    });
  }
  items.push(
    separator('sep:pairing'),
    pairingItem(state, options),
    separator('sep:ui'),
    {
      id: 'open-control-ui',
      type: 'normal',
      label: 'Open Control UI',
      enabled: running || otherInstance,
      action: { type: 'open-control-ui' },
    },
    {
      id: 'copy-dashboard-url',
      type: 'normal',
      label: 'Copy dashboard URL',
      // The one-time token handover comes from our own gateway only.
      enabled: running,
      action: { type: 'copy-dashboard-url' },
    },
    {
      id: 'restart-gateway',
      type: 'normal',
      label: 'Restart gateway',
      enabled: gateway.status !== 'starting',
      action: { type: 'restart-gateway' },
    },
    separator('sep:app'),
    {
      id: 'start-at-login',
      type: 'checkbox',
      label: 'Start at login',
      enabled: true,
      checked: state.startAtLogin,
      action: { type: 'set-start-at-login', enabled: !state.startAtLogin },
    },
    { id: 'quit', type: 'normal', label: 'Quit', enabled: true, action: { type: 'quit' } },
  );
  const count = running ? state.pending.length : 0;
  const suffix = count > 0 ? ` · ${count} pairing request${count === 1 ? '' : 's'}` : '';
  return { icon: pickIcon(state), tooltip: `${PRODUCT}: ${status}${suffix}`, items };
}

/**
 * A key that changes exactly when the visible tray changes (ages are in whole minutes),
 * so the Electron layer rebuilds the native menu only when it must.
 */
export function trayStateKey(
  state: TrayState,
  options: TrayModelOptions = DEFAULT_DESKTOP_OPTIONS,
): string {
  return trayModelKey(buildTrayModel(state, options));
}

/** The same key for an already built model. */
export function trayModelKey(model: TrayModel): string {
  return JSON.stringify(model);
}

/** Depth-first search by id; handy for the Electron layer and tests alike. */
export function findMenuItem(
  items: readonly MenuItemModel[],
  id: string,
): MenuItemModel | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const found = item.submenu ? findMenuItem(item.submenu, id) : undefined;
    if (found) return found;
  }
  return undefined;
}
