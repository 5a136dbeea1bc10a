/**
 * The desktop app's one long-lived service: owns the gateway's lifecycle and wires its
 * pairing events to the tray, the notifications and the Control UI window. Built by
 * electron-main.ts after `app.whenReady()`; nothing here runs at import time.
 */
import { resolvePaths } from '../config/paths.js';
import { releaseLockIfOurs } from '../gateway/gateway-lock.js';
import { app, clipboard, dialog } from 'electron';
import { DEFAULT_PORT } from '../../shared/config-schema.js';
import { DASHBOARD_INVITE, dashboardInviteUrl } from '../../shared/dashboard-invite.js';
import type { Clock } from '../util/clock.js';
import { controlUiUrl, devicesRoute } from './control-ui-url.js';
import { ControlWindow } from './control-window.js';
import type { DesktopOptions } from './desktop-options.js';
import {
  describeStartFailure,
  type DesktopGateway,
  type DesktopLogger,
  type DesktopPendingRequest,
  type PairingResolvedEvent,
  type StartGateway,
} from './gateway-handle.js';
import { PairingNotifier } from './pairing-notifier.js';
import { classifyPortConflict, type FetchLike } from './port-conflict.js';
import { dispatchTrayAction, type TrayActionDeps } from './tray-actions.js';
import { TrayController } from './tray-controller.js';
import { appIconPath } from './tray-icons.js';
import type { TrayAction, TrayGatewayState } from './tray-model.js';

export interface DesktopShellDeps {
  startGateway: StartGateway;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  logger: DesktopLogger;
  fetch: FetchLike;
  assetsDir: string;
  platform: NodeJS.Platform;
  options: DesktopOptions;
  startAtLogin: { isEnabled(): boolean; setEnabled(enabled: boolean): Promise<void> };
}

const LOOPBACK = '127.0.0.1';

export class DesktopShell {
  readonly #deps: DesktopShellDeps;
  readonly #tray: TrayController;
  readonly #window: ControlWindow;
  readonly #notifier: PairingNotifier;
  readonly #pending = new Map<string, DesktopPendingRequest>();
  #gateway: DesktopGateway | undefined;
  #state: TrayGatewayState = {
    status: 'starting',
    host: LOOPBACK,
    port: DEFAULT_PORT,
    authMode: 'token',
  };
  #detach: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  /** Start, restart and stop run one at a time, in the order asked. */
  #lifecycle: Promise<void> = Promise.resolve();

  constructor(deps: DesktopShellDeps) {
    this.#deps = deps;
    const iconPath = appIconPath(deps.assetsDir);
    this.#tray = new TrayController({
      assetsDir: deps.assetsDir,
      platform: deps.platform,
      options: deps.options,
      onAction: (action) => void this.dispatch(action),
    });
    this.#window = new ControlWindow(
      { iconPath, size: deps.options },
      deps.logger,
      () => this.#gateway?.tls?.fingerprintSha256,
    );
    this.#notifier = new PairingNotifier({
      iconPath,
      onClick: (requestId) =>
        void this.dispatch({ type: 'open-control-ui', route: devicesRoute(requestId) }),
    });
  }

  /** Show the tray, start the gateway, keep request ages fresh. */
  start(): Promise<void> {
    this.#render();
    this.#timer = setInterval(() => this.#render(), this.#deps.options.trayRefreshIntervalMs);
    return this.#serial(() => this.#startGateway());
  }

  /** Stop everything before the process exits. */
  shutdown(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#closing = true;
    this.#window.allowClose();
    this.#tray.destroy();
    return this.#serial(() => this.#stopGateway('quit'));
  }

  /** A second launch of the app: bring the Control UI up. */
  secondInstance(): void {
    void this.dispatch({ type: 'open-control-ui' });
  }

  /** Run a tray (or notification) action; failures become a one-line dialog. */
  dispatch(action: TrayAction): Promise<void> {
    return dispatchTrayAction(action, this.#actions);
  }

  readonly #actions: TrayActionDeps = {
    approve: (requestId) => this.#requireGateway().pairing.approve(requestId),
    reject: (requestId) => this.#requireGateway().pairing.reject(requestId),
    openControlUi: (route) => this.#openControlUi(route),
    copyDashboardUrl: async () => {
      await clipboard.writeText(await dashboardUrl(this.#requireGateway()));
    },
    restartGateway: () => this.#serial(() => this.#restart()),
    setStartAtLogin: (enabled) => {
      void this.#deps.startAtLogin
        .setEnabled(enabled)
        .catch((error: unknown) =>
          this.#report(`Could not change Start at login: ${String(error)}`),
        )
        .finally(() => this.#render());
    },
    changePort: () => this.#changePortDialog(),
    quit: () => {
      // before-quit (electron-main.ts) runs shutdown(), so every way of quitting stops the gateway.
      app.quit();
      return Promise.resolve();
    },
    report: (message) => this.#report(message),
  };

  #requireGateway(): DesktopGateway {
    if (!this.#gateway) throw new Error('the gateway is not running (choose Restart gateway)');
    return this.#gateway;
  }

  async #startGateway(): Promise<void> {
    this.#state = { ...this.#state, status: 'starting' };
    delete this.#state.error;
    this.#render();
    try {
      const gateway = await this.#deps.startGateway({
        env: this.#deps.env,
        logger: this.#deps.logger,
        // `gateway.restart` from a client takes the tray's restart path.
        onRestartRequested: (restartExpectedMs) =>
          void this.#serial(() => this.#restart(restartExpectedMs)).catch((error: unknown) =>
            this.#report(`Could not restart the gateway: ${String(error)}`),
          ),
      });
      this.#attach(gateway);
      const url = new URL(gateway.url);
      this.#state = {
        status: 'running',
        host: url.hostname,
        port: gateway.port,
        authMode: gateway.authMode,
      };
    } catch (error) {
      await this.#recordFailure(error);
    }
    this.#render();
  }

  async #recordFailure(error: unknown): Promise<void> {
    const failure = describeStartFailure(error, this.#state.port);
    this.#deps.logger.error(`gateway did not start: ${failure.message}`);
    if (failure.kind !== 'port-in-use') {
      this.#state = {
        ...this.#state,
        status: 'error',
        error: { kind: 'other', message: failure.message },
      };
      return;
    }
    // This home's own gateway (its lock said so) may listen on TLS or another address,
    // where a plain /healthz on 127.0.0.1 would not find it.
    const heldBy = failure.ownHome
      ? 'special-agent'
      : await classifyPortConflict(failure.port, this.#deps.fetch, {
          timeoutMs: this.#deps.options.healthzTimeoutMs,
        });
    this.#state = {
      ...this.#state,
      status: 'error',
      port: failure.port,
      error: { kind: 'port-in-use', message: failure.message, heldBy },
    };
    // The user's gateway already runs (e.g. `special-agent gateway run`): show that one,
    // where it is. Over TLS this window could not trust its certificate, so it stays shut
    // (the tray says where it runs).
    const url = failure.ownHome ? failure.url : `http://${LOOPBACK}:${failure.port}/`;
    if (heldBy === 'special-agent' && url?.startsWith('http:')) await this.#window.open(url);
  }

  #attach(gateway: DesktopGateway): void {
    this.#gateway = gateway;
    this.#pending.clear();
    for (const request of gateway.pairing.list().pending)
      this.#pending.set(request.requestId, request);
    const onRequested = (request: DesktopPendingRequest): void => {
      this.#pending.set(request.requestId, request);
      this.#notifier.requested(request);
      this.#render();
    };
    const onResolved = (event: PairingResolvedEvent): void => {
      this.#pending.delete(event.requestId);
      this.#notifier.resolved(event);
      this.#render();
    };
    gateway.pairing.on('requested', onRequested);
    gateway.pairing.on('resolved', onResolved);
    this.#detach = () => {
      gateway.pairing.off('requested', onRequested);
      gateway.pairing.off('resolved', onResolved);
    };
  }

  async #stopGateway(reason: string, restartExpectedMs?: number): Promise<void> {
    const gateway = this.#gateway;
    this.#detach?.();
    this.#detach = undefined;
    this.#gateway = undefined;
    this.#pending.clear();
    this.#notifier.clear();
    if (!gateway) return;
    this.#state = { ...this.#state, status: 'stopped' };
    this.#render();
    await gateway.stop(reason, restartExpectedMs);
  }

  /** Stop and start again; `restartExpectedMs` when a client asked (`gateway.restart`). */
  async #restart(restartExpectedMs?: number): Promise<void> {
    const shownOrigin = this.#window.isVisible ? this.#window.origin : undefined;
    await this.#stopGateway('restart', restartExpectedMs);
    await this.#startGateway();
    const gateway = this.#gateway;
    // The stop kept the home's lock for the new start; that start failed, so let it go.
    if (!gateway) await releaseLockIfOurs(resolvePaths(this.#deps.env).gatewayLock);
    // The UI reconnects by itself on the same port; on a new port it needs a fresh load.
    if (gateway && shownOrigin !== undefined && shownOrigin !== new URL(gateway.url).origin) {
      await this.#window.open(await dashboardUrl(gateway));
    }
  }

  async #openControlUi(route?: string): Promise<void> {
    const gateway = this.#gateway;
    if (!gateway) {
      const error = this.#state.error;
      if (error?.kind === 'port-in-use' && error.heldBy === 'special-agent') {
        await this.#window.open(
          `http://${LOOPBACK}:${this.#state.port}/${route ? `#${route}` : ''}`,
        );
        return;
      }
      if (error?.kind === 'port-in-use') return this.#changePortDialog();
      throw new Error(error?.message ?? 'the gateway is not running');
    }
    const sameGateway = this.#window.origin === new URL(gateway.url).origin;
    if (!route && sameGateway && this.#window.focus()) return;
    await this.#window.open(controlUiUrl(await dashboardUrl(gateway), route));
  }

  async #changePortDialog(): Promise<void> {
    const port = this.#state.port;
    const command = `special-agent configure set gateway.port ${port === 65535 ? port - 1 : port + 1}`;
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      title: 'Port in use',
      message: `Port ${port} is used by another program, so the gateway cannot start.`,
      detail:
        `Pick a free port in a terminal, then choose Restart gateway:\n\n    ${command}\n\n` +
        'The Control UI cannot change it while no gateway is running.',
      buttons: ['Copy command', 'Restart gateway', 'Close'],
      defaultId: 0,
      cancelId: 2,
    });
    if (response === 0) await clipboard.writeText(command);
    if (response === 1) await this.#serial(() => this.#restart());
  }

  #report(message: string): void {
    this.#deps.logger.warn(message);
    dialog
      .showMessageBox({ type: 'error', title: 'special-agent', message })
      .catch(() => undefined);
  }

  #render(): void {
    if (this.#closing) return;
    this.#tray.render({
      // Read at every render: a renewal while the gateway runs changes it.
      gateway: { ...this.#state, tlsFingerprint: this.#gateway?.tls?.fingerprintSha256 },
      pending: [...this.#pending.values()],
      startAtLogin: this.#deps.startAtLogin.isEnabled(),
      now: this.#deps.clock.now(),
    });
  }

  #serial(step: () => Promise<void>): Promise<void> {
    const next = this.#lifecycle.then(step);
    this.#lifecycle = next.catch(() => undefined);
    return next;
  }
}

/**
 * The Control UI URL with a fresh 2-minute, single-use admin invite (`#invite=…`), made in
 * this process: the gateway token never goes into a URL, a clipboard or a window's history.
 */
async function dashboardUrl(gateway: DesktopGateway): Promise<string> {
  const { code } = await gateway.pairing.invites.create({
    role: DASHBOARD_INVITE.role,
    scopes: DASHBOARD_INVITE.scopes,
    ttlMs: DASHBOARD_INVITE.ttlSeconds * 1000,
    label: DASHBOARD_INVITE.label,
  });
  return dashboardInviteUrl(gateway.url, code);
}
