/**
 * The tray's TLS item follows the certificate the gateway serves: a renewal while the app
 * runs (tls/certificate-refresh.ts) must show at the next tray refresh, or a user would pin
 * a fingerprint the gateway no longer serves. Electron is the one part that cannot run
 * here, so its tray and menu are stand-ins that keep the last menu built.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';

const menus = vi.hoisted(() => ({ last: [] as MenuItemConstructorOptions[] }));

vi.mock('electron', () => {
  class Tray {
    isDestroyed = () => false;
    setImage = () => undefined;
    setToolTip = () => undefined;
    setContextMenu = () => undefined;
    destroy = () => undefined;
  }
  const image = { setTemplateImage: () => undefined };
  return {
    app: {},
    clipboard: {},
    dialog: { showMessageBox: () => Promise.resolve() },
    shell: {},
    BrowserWindow: class {},
    Notification: class {},
    Tray,
    nativeImage: { createFromPath: () => image },
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => {
        menus.last = template;
        return {};
      },
    },
  };
});

const { DesktopShell } = await import('./desktop-shell.js');
const { desktopOptions } = await import('./desktop-options.js');

const FIRST =
  'AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA';
const RENEWED =
  'BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB';
const REFRESH_MS = 5;

let shell: InstanceType<typeof DesktopShell> | undefined;
afterEach(async () => {
  await shell?.shutdown();
  shell = undefined;
});

/** The label of the TLS submenu's fingerprint line in the last menu built, if any. */
function shownFingerprint(): string | undefined {
  const tls = menus.last.find((item) => item.id === 'tls');
  const submenu = (tls?.submenu ?? []) as MenuItemConstructorOptions[];
  return submenu.find((item) => item.id === 'tls:fingerprint')?.label;
}

it('shows the renewed fingerprint at the next tray refresh, without a restart', async () => {
  let served = FIRST;
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  shell = new DesktopShell({
    startGateway: () =>
      Promise.resolve({
        port: 18789,
        url: 'https://127.0.0.1:18789/',
        authMode: 'token' as const,
        get tls() {
          return { enabled: true, fingerprintSha256: served };
        },
        pairing: {
          list: () => ({ pending: [] }),
          approve: () => Promise.resolve(),
          reject: () => Promise.resolve(),
          on: () => undefined,
          off: () => undefined,
          invites: { create: () => Promise.resolve({ code: 'x' }) },
        },
        stop: () => Promise.resolve(),
      }),
    env: {},
    clock: { now: () => Date.now() },
    logger,
    fetch: () => Promise.reject(new Error('no network in this test')),
    assetsDir: '/nonexistent',
    platform: 'linux',
    options: desktopOptions({ trayRefreshIntervalMs: REFRESH_MS }),
    startAtLogin: { isEnabled: () => false, setEnabled: () => Promise.resolve() },
  });
  await shell.start();
  expect(shownFingerprint(), 'the fingerprint served at start').toBe(`SHA-256 ${FIRST}`);

  served = RENEWED;
  await vi.waitFor(() => expect(shownFingerprint()).toBe(`SHA-256 ${RENEWED}`), {
    timeout: 2000,
    interval: REFRESH_MS,
  });
});
