import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { toMenuTemplate } from './menu-template.js';
import { dispatchTrayAction, type TrayActionDeps } from './tray-actions.js';
import { buildTrayModel, type TrayAction, type TrayState } from './tray-model.js';

/** Records every call, in order, as [name, ...args]. */
function recordingDeps(fail?: { approve?: Error }): { deps: TrayActionDeps; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const deps: TrayActionDeps = {
    approve: (requestId) => {
      calls.push(['approve', requestId]);
      return fail?.approve ? Promise.reject(fail.approve) : Promise.resolve({ requestId });
    },
    reject: (requestId) => {
      calls.push(['reject', requestId]);
      return Promise.resolve({ requestId });
    },
    openControlUi: (route) => {
      calls.push(['openControlUi', route]);
      return Promise.resolve();
    },
    copyDashboardUrl: () => {
      calls.push(['copyDashboardUrl']);
      return Promise.resolve();
    },
    restartGateway: () => {
      calls.push(['restartGateway']);
      return Promise.resolve();
    },
    setStartAtLogin: (enabled) => {
      calls.push(['setStartAtLogin', enabled]);
    },
    changePort: () => {
      calls.push(['changePort']);
      return Promise.resolve();
    },
    quit: () => {
      calls.push(['quit']);
      return Promise.resolve();
    },
    report: (message) => {
      calls.push(['report', message]);
    },
  };
  return { deps, calls };
}

const NOW = 1_750_000_000_000;
const trayState: TrayState = {
  gateway: { status: 'running', host: '127.0.0.1', port: 18789, authMode: 'token' },
  pending: [
    {
      requestId: 'req-phone',
      displayName: 'Phone',
      deviceId: 'a'.repeat(64),
      remoteIp: '192.168.1.5',
      ts: NOW - 1000,
    },
    {
      requestId: 'req-laptop',
      displayName: 'Laptop',
      deviceId: 'b'.repeat(64),
      remoteIp: '192.168.1.6',
      ts: NOW,
    },
  ],
  startAtLogin: false,
  now: NOW,
};

function click(template: MenuItemConstructorOptions[], ...path: string[]): void {
  const [head, ...rest] = path;
  const item = template.find((entry) => entry.label === head);
  if (!item) throw new Error(`no menu item ${head}`);
  if (rest.length > 0) {
    click(item.submenu as MenuItemConstructorOptions[], ...rest);
    return;
  }
  // Electron passes (menuItem, window, event); the mapping ignores them.
  (item.click as () => void)();
}

describe('tray clicks reach the pairing service', () => {
  it('Approve and Reject under a request call approve/reject with that request id', async () => {
    const { deps, calls } = recordingDeps();
    const pending: Promise<void>[] = [];
    const template = toMenuTemplate(buildTrayModel(trayState).items, (action: TrayAction) => {
      pending.push(dispatchTrayAction(action, deps));
    });
    click(template, 'Pairing requests (2)', 'Laptop · 192.168.1.6 · just now', 'Approve');
    click(template, 'Pairing requests (2)', 'Phone · 192.168.1.5 · just now', 'Reject');
    await Promise.all(pending);
    expect(calls).toEqual([
      ['approve', 'req-laptop'],
      ['reject', 'req-phone'],
    ]);
  });

  it('maps every other item to its service call', async () => {
    const { deps, calls } = recordingDeps();
    const pending: Promise<void>[] = [];
    const template = toMenuTemplate(buildTrayModel(trayState).items, (action) => {
      pending.push(dispatchTrayAction(action, deps));
    });
    for (const label of [
      'Open Control UI',
      'Copy dashboard URL',
      'Restart gateway',
      'Start at login',
      'Quit',
    ]) {
      click(template, label);
    }
    await Promise.all(pending);
    expect(calls).toEqual([
      ['openControlUi', undefined],
      ['copyDashboardUrl'],
      ['restartGateway'],
      ['setStartAtLogin', true],
      ['quit'],
    ]);
    expect(template.find((item) => item.label === 'Start at login')).toMatchObject({
      type: 'checkbox',
      checked: false,
    });
    expect(template.find((item) => item.id === 'status')).toMatchObject({ enabled: false });
  });

  it('reports a failed approval in one line instead of throwing from the click', async () => {
    const { deps, calls } = recordingDeps({
      approve: new Error('pairing request req-phone has expired'),
    });
    await dispatchTrayAction({ type: 'approve', requestId: 'req-phone' }, deps);
    await dispatchTrayAction({ type: 'change-port' }, deps);
    expect(calls).toEqual([
      ['approve', 'req-phone'],
      ['report', 'Could not approve the device: pairing request req-phone has expired'],
      ['changePort'],
    ]);
  });
});
