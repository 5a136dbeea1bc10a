import { describe, expect, it } from 'vitest';
import {
  buildTrayModel,
  findMenuItem,
  formatAge,
  trayStateKey,
  type MenuItemModel,
  type TrayState,
} from './tray-model.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;

function state(overrides: Partial<TrayState> = {}): TrayState {
  return {
    gateway: { status: 'running', host: '127.0.0.1', port: 18789, authMode: 'token' },
    pending: [],
    startAtLogin: false,
    now: NOW,
    ...overrides,
  };
}

const threePending: TrayState['pending'] = [
  {
    requestId: 'req-b',
    displayName: 'Pixel 8',
    deviceId: 'b'.repeat(64),
    remoteIp: '192.168.1.20',
    ts: NOW - 2 * MIN,
  },
  {
    requestId: 'req-a',
    deviceId: 'a1b2c3d4e5f6'.padEnd(64, '0'),
    remoteIp: '100.101.102.103',
    ts: NOW - 90 * MIN,
  },
  {
    requestId: 'req-c',
    displayName: 'Work laptop',
    deviceId: 'c'.repeat(64),
    remoteIp: '10.0.0.7',
    ts: NOW - 10_000,
  },
];

function labels(items: readonly MenuItemModel[]): string[] {
  return items.filter((i) => i.type !== 'separator').map((i) => i.label);
}

describe('buildTrayModel', () => {
  it('shows the running gateway with no pending requests', () => {
    const model = buildTrayModel(state());
    expect(model.icon).toBe('running');
    expect(model.tooltip).toBe('special-agent: Gateway on 127.0.0.1:18789 · token');
    expect(labels(model.items)).toEqual([
      'Gateway on 127.0.0.1:18789 · token',
      'Pairing requests (0)',
      'Open Control UI',
      'Copy dashboard URL',
      'Restart gateway',
      'Start at login',
      'Quit',
    ]);
    expect(findMenuItem(model.items, 'status')?.enabled).toBe(false);
    expect(findMenuItem(model.items, 'pairing')).toMatchObject({ enabled: false, type: 'normal' });
    expect(findMenuItem(model.items, 'open-control-ui')).toMatchObject({
      enabled: true,
      action: { type: 'open-control-ui' },
    });
    expect(findMenuItem(model.items, 'quit')?.action).toEqual({ type: 'quit' });
    expect(findMenuItem(model.items, 'change-port')).toBeUndefined();
  });

  it('lists 3 pending requests, oldest first, each with Approve/Reject for its own requestId', () => {
    const model = buildTrayModel(state({ pending: threePending }));
    expect(model.icon).toBe('pending');
    expect(model.tooltip).toContain('3 pairing requests');
    const pairing = findMenuItem(model.items, 'pairing');
    expect(pairing?.label).toBe('Pairing requests (3)');
    expect(pairing?.type).toBe('submenu');
    expect(pairing?.submenu?.map((i) => i.label)).toEqual([
      'Device a1b2c3d4 · 100.101.102.103 · 1 h ago',
      'Pixel 8 · 192.168.1.20 · 2 min ago',
      'Work laptop · 10.0.0.7 · just now',
    ]);
    for (const request of pairing?.submenu ?? []) {
      const requestId = request.id.replace('request:', '');
      expect(request.submenu?.map((i) => [i.label, i.action])).toEqual([
        ['Approve', { type: 'approve', requestId }],
        ['Reject', { type: 'reject', requestId }],
      ]);
    }
    expect(findMenuItem(model.items, 'approve:req-b')?.action).toEqual({
      type: 'approve',
      requestId: 'req-b',
    });
    expect(findMenuItem(model.items, 'reject:req-c')?.action).toEqual({
      type: 'reject',
      requestId: 'req-c',
    });
  });

  it("shows a device's hostile name escaped, on one line, with no control or bidi character", () => {
    const hostile = {
      requestId: 'req-x',
      displayName: 'evil\u001b]0;pwned\u0007\nApprove \u202egnp.exe',
      deviceId: 'f'.repeat(64),
      remoteIp: '203.0.113.7',
      ts: NOW,
    };
    const label = findMenuItem(
      buildTrayModel(state({ pending: [hostile] })).items,
      'request:req-x',
    )?.label;
    expect(label).toBe(
      'evil\\u001b]0;pwned\\u0007\\nApprove \\u202egnp.exe · 203.0.113.7 · just now',
    );
  });

  it('collapses requests past the limit into one link to the Devices page', () => {
    const model = buildTrayModel(state({ pending: threePending }), { maxTrayRequests: 2 });
    const submenu = findMenuItem(model.items, 'pairing')?.submenu ?? [];
    expect(submenu).toHaveLength(3);
    expect(submenu[2]).toMatchObject({
      label: '…and 1 more (open Devices)',
      action: { type: 'open-control-ui', route: '/devices' },
    });
  });

  it('shows a stopped gateway and disables what needs a running one', () => {
    const model = buildTrayModel(
      state({ gateway: { status: 'stopped', host: '127.0.0.1', port: 18789, authMode: 'token' } }),
    );
    expect(model.icon).toBe('stopped');
    expect(model.items[0]?.label).toBe('Gateway stopped');
    expect(findMenuItem(model.items, 'open-control-ui')?.enabled).toBe(false);
    expect(findMenuItem(model.items, 'copy-dashboard-url')?.enabled).toBe(false);
    expect(findMenuItem(model.items, 'restart-gateway')?.enabled).toBe(true);
  });

  it('on port-in-use by another program shows the error and offers to change the port', () => {
    const model = buildTrayModel(
      state({
        gateway: {
          status: 'error',
          host: '127.0.0.1',
          port: 18789,
          authMode: 'token',
          error: { kind: 'port-in-use', message: 'Port 18789 is already in use', heldBy: 'other' },
        },
        pending: threePending,
      }),
    );
    expect(model.icon).toBe('error');
    expect(model.items[0]?.label).toBe('Port 18789 is in use by another program');
    expect(model.items[1]).toMatchObject({
      label: 'Change port…',
      action: { type: 'change-port' },
    });
    // Requests of a gateway that is not running cannot be approved from here.
    expect(findMenuItem(model.items, 'pairing')?.enabled).toBe(false);
    expect(findMenuItem(model.items, 'open-control-ui')?.enabled).toBe(false);
  });

  it('on port-in-use by another special-agent says so and opens that one', () => {
    const model = buildTrayModel(
      state({
        gateway: {
          status: 'error',
          host: '127.0.0.1',
          port: 18789,
          authMode: 'token',
          error: { kind: 'port-in-use', message: 'in use', heldBy: 'special-agent' },
        },
      }),
    );
    expect(model.icon).toBe('running');
    expect(model.items[0]?.label).toBe('special-agent is already running on 127.0.0.1:18789');
    expect(findMenuItem(model.items, 'change-port')).toBeUndefined();
    expect(findMenuItem(model.items, 'open-control-ui')?.enabled).toBe(true);
  });

  it('shows other start errors in the status line', () => {
    const model = buildTrayModel(
      state({
        gateway: {
          status: 'error',
          host: '127.0.0.1',
          port: 18789,
          authMode: 'token',
          error: { kind: 'other', message: 'config.json5:3:5 gateway.port: expected number' },
        },
      }),
    );
    expect(model.icon).toBe('error');
    expect(model.items[0]?.label).toBe(
      'Gateway error: config.json5:3:5 gateway.port: expected number',
    );
  });

  it('reflects Start at login and toggles it', () => {
    const off = findMenuItem(
      buildTrayModel(state({ startAtLogin: false })).items,
      'start-at-login',
    );
    expect(off).toMatchObject({
      type: 'checkbox',
      checked: false,
      action: { type: 'set-start-at-login', enabled: true },
    });
    const on = findMenuItem(buildTrayModel(state({ startAtLogin: true })).items, 'start-at-login');
    expect(on).toMatchObject({
      type: 'checkbox',
      checked: true,
      action: { type: 'set-start-at-login', enabled: false },
    });
  });
});

describe('buildTrayModel: TLS', () => {
  const fingerprint = Array.from({ length: 32 }, (_, i) =>
    ((i * 37 + 11) % 256).toString(16).toUpperCase().padStart(2, '0'),
  ).join(':');
  const tlsState = (status: TrayState['gateway']['status'] = 'running') =>
    state({
      gateway: {
        status,
        host: '192.0.2.2',
        port: 18789,
        authMode: 'token',
        tlsFingerprint: fingerprint,
      },
    });

  it('shows the fingerprint shortened under the status line, and in full one level down', () => {
    const model = buildTrayModel(tlsState());
    expect(labels(model.items).slice(0, 2)).toEqual([
      'Gateway on 192.0.2.2:18789 · token',
      `TLS ${fingerprint.slice(0, 11)}…`,
    ]);
    const tls = findMenuItem(model.items, 'tls');
    expect(tls).toMatchObject({ type: 'submenu', enabled: true });
    expect(tls?.action).toBeUndefined();
    expect(findMenuItem(model.items, 'tls:fingerprint')).toMatchObject({
      label: `SHA-256 ${fingerprint}`,
      enabled: false,
    });
  });

  it('has no TLS line without TLS, or while the gateway is not running', () => {
    expect(findMenuItem(buildTrayModel(state()).items, 'tls')).toBeUndefined();
    expect(findMenuItem(buildTrayModel(tlsState('stopped')).items, 'tls')).toBeUndefined();
  });
});

describe('trayStateKey', () => {
  it('stays the same when only invisible things change', () => {
    const base = state({ pending: threePending });
    // 20 s later every age still rounds to the same minute.
    expect(trayStateKey({ ...base, now: NOW + 20_000 })).toBe(trayStateKey(base));
    // Same requests in another order render the same menu.
    expect(trayStateKey({ ...base, pending: [...threePending].reverse() })).toBe(
      trayStateKey(base),
    );
  });

  it('changes when an age, a request, the status or a checkbox changes', () => {
    const base = state({ pending: threePending });
    const key = trayStateKey(base);
    expect(trayStateKey({ ...base, now: NOW + 60_000 })).not.toBe(key);
    expect(trayStateKey({ ...base, pending: threePending.slice(1) })).not.toBe(key);
    expect(trayStateKey({ ...base, startAtLogin: true })).not.toBe(key);
    expect(trayStateKey({ ...base, gateway: { ...base.gateway, authMode: 'password' } })).not.toBe(
      key,
    );
  });
});

describe('formatAge', () => {
  it('speaks in minutes, hours and days', () => {
    expect(formatAge(59_000)).toBe('just now');
    expect(formatAge(2 * MIN + 30_000)).toBe('2 min ago');
    expect(formatAge(125 * MIN)).toBe('2 h ago');
    expect(formatAge(50 * 60 * MIN)).toBe('2 d ago');
    expect(formatAge(-5_000)).toBe('just now');
  });
});
